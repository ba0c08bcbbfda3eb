using Amphista.Decoding.Drafting.Amphista;
using Amphista.Model;
using Amphista.Tensors;
using Amphista.Tests.Support;
using static Amphista.Tests.Drafting.Amphista.AmphistaFixtures;
using static Amphista.Tests.Drafting.Medusa.MedusaFixtures;

namespace Amphista.Tests.Drafting.Amphista;

/// <summary>
/// The stage-to-head assignment stage(k) = ceil(k·S/K) (k 1-based; 0-based stages here), the
/// parameter shapes for several (K, S), and the drafter's output contract.
/// </summary>
public class ShapeTests
{
    private const int D = 12, V = 30;

    public static TheoryData<int, int, int[]> Assignments => new()
    {
        { 4, 2, [0, 0, 1, 1] },
        { 5, 2, [0, 0, 1, 1, 1] },
        { 3, 3, [0, 1, 2] },
        { 4, 1, [0, 0, 0, 0] },
        { 1, 1, [0] },
        { 6, 4, [0, 1, 1, 2, 3, 3] },
    };

    [Theory, MemberData(nameof(Assignments))]
    public void HeadsSplitIntoContiguousStageGroups(int heads, int stages, int[] expected)
    {
        var config = Config(heads, stages);

        Assert.Equal(expected, Enumerable.Range(0, heads).Select(config.StageOf));
    }

    [Fact]
    public void MoreStagesThanHeadsIsRefused()
    {
        var e = Assert.Throws<ConfigException>(() => Config(heads: 2, stages: 3));

        Assert.Equal("Amphista config: stages 3 exceeds heads 2: every stage must feed at least one head", e.Message);
    }

    [Theory]
    [InlineData(4, 2, 1, true)]
    [InlineData(5, 2, 2, false)]
    [InlineData(3, 3, 1, true)]
    [InlineData(4, 1, 1, false)]
    public void ParametersAndOutputsHaveTheirShapes(int heads, int stages, int blockLayers, bool shared)
    {
        var model = BaseModel(D, V);
        var config = AmphistaConfig.ForBaseModel(model.Config, heads, stages, blockLayers, shared);
        var w = AmphistaWeights.Random(config, seed: 1);

        Assert.Equal((D, 2 * D), (w.Fusion.Rows, w.Fusion.Cols));
        Assert.Equal(stages, w.Stages.Length);
        Assert.Equal(blockLayers, w.AutoEmbedding.Layers.Length);
        Assert.All(w.Stages.Concat(w.AutoEmbedding.Layers), layer =>
        {
            Assert.Equal((D, D), (layer.Wq.Rows, layer.Wq.Cols));
            Assert.Equal((2 * D, D), (layer.Gate.Rows, layer.Gate.Cols));
            Assert.Equal((D, 2 * D), (layer.Down.Rows, layer.Down.Cols));
            Assert.All(layer.AttentionNorm.Concat(layer.MlpNorm), g => Assert.Equal(1f, g));
        });
        Assert.Equal((heads, D), (w.AutoEmbedding.HeadEmbeddings.Rows, w.AutoEmbedding.HeadEmbeddings.Cols));
        Assert.Equal(heads, w.Heads.Length);
        Assert.All(w.Heads, h =>
        {
            Assert.Equal((D, D), (h.Linear.Rows, h.Linear.Cols));
            Assert.Equal(shared, h.LmHead is null);
            Assert.All(h.Norm, g => Assert.Equal(1f, g));
            Assert.All(h.Bias, b => Assert.Equal(0f, b));
        });

        var session = FromScratch(new AmphistaDrafter(w), model, Rand.Tensor(3, D, 2), Tokens(4, V, 3), 3);
        var logits = session.Logits();
        var candidates = session.Draft(heads, 5);

        Assert.Equal((stages, D), (session.Stages.Last.Rows, session.Stages.Last.Cols));
        Assert.Equal((heads, V), (logits.Rows, logits.Cols));
        Assert.Equal(heads, candidates.Length);
        for (int k = 0; k < heads; k++)
        {
            Assert.Equal(5, candidates[k].Distinct().Count());
            Assert.All(candidates[k].Skip(1), id => Assert.True(logits[k, candidates[k][0]] >= logits[k, id]));
        }
    }

    [Fact]
    public void NameAndHeads()
    {
        var drafter = new AmphistaDrafter(AmphistaWeights.Random(Config(heads: 3, stages: 2), seed: 1));

        Assert.Equal("amphista", drafter.Name);
        Assert.Equal(3, drafter.Heads);
    }

    [Fact]
    public void DraftBeforeCommitIsAnError()
    {
        var model = BaseModel(D, V);
        var session = new AmphistaDrafter(AmphistaWeights.Random(Config(2, 1), 1)).Begin(model);

        Assert.Throws<InvalidOperationException>(() => session.Draft(1, 1));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(3, 1)]
    [InlineData(1, 0)]
    [InlineData(1, V + 1)]
    public void DraftOutsideTheHeadsOrVocabularyIsAnError(int heads, int topK)
    {
        var model = BaseModel(D, V);
        var session = FromScratch(new AmphistaDrafter(AmphistaWeights.Random(Config(2, 1), 1)), model,
            Rand.Tensor(2, D, 2), Tokens(3, V, 3), 2);

        Assert.Throws<ArgumentOutOfRangeException>(() => session.Draft(heads, topK));
        if (topK == 1) Assert.Throws<ArgumentOutOfRangeException>(() => session.Logits(heads));
    }

    [Fact]
    public void CommitsMustContinueWithoutGaps()
    {
        var model = BaseModel(D, V);
        var session = new AmphistaDrafter(AmphistaWeights.Random(Config(2, 1), 1)).Begin(model);
        session.Commit(Rand.Tensor(2, D, 1), [0, 1], [3, 4]);

        var e = Assert.Throws<ArgumentException>(() => session.Commit(Rand.Tensor(1, D, 2), [3], [5]));

        Assert.Contains("positions must continue from 2", e.Message);
    }

    private static AmphistaConfig Config(int heads, int stages) =>
        AmphistaConfig.ForBaseModel(BaseModel(D, V).Config, heads, stages);
}
