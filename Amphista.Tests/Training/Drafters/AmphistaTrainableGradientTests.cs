using Amphista.Decoding.Drafting.Amphista;
using Amphista.Model;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tests.Decoding;
using Amphista.Tests.Support;
using Amphista.Training;
using Amphista.Training.Drafters;
using FsCheck;
using FsCheck.Fluent;
using static Amphista.Tests.Training.Drafters.AmphistaTrainableFixtures;
using Amphista.Training.Core;
using Amphista.Training.Layers;

namespace Amphista.Tests.Training.Drafters;

/// <summary>
/// Accumulate's gradients against central finite differences of the loss (tolerance stated and
/// justified in <see cref="GradCheck"/>) for every parameter: fusion, each stage, P, each block layer,
/// each head; its statistics against the loss summed in double; scale as an exact factor; and the
/// Auto-embedding Block's grouping of positions as invisible to the bit.
/// </summary>
public class AmphistaTrainableGradientTests
{
    private static readonly SequenceKernels K = new();

    /// <summary>Tiny base models and drafters, so finite differences can visit every parameter.</summary>
    private static Gen<AmphistaTrainingCase> TinyCases =>
        from d in Gen.Choose(8, 12)
        from vocab in Gen.Choose(6, 16)
        from heads in Gen.Choose(1, 3)
        from stages in Gen.Choose(1, heads)
        from blockLayers in Gen.Choose(1, 2)
        from f in Gen.Choose(3, 8)
        from kv in Gen.Choose(1, 2)
        from share in Gen.Choose(1, 2)
        from dh in Gen.Elements(2, 4)
        from length in Gen.Choose(4, 7)
        from seed in Gen.Choose(0, 1 << 20)
        let model = new RandomModel(new LlamaConfig(d, 8, 1, 1, 1, 4, vocab, MaxPositions: 16, RmsNormEps: 1e-6f,
            RopeTheta: 10000.0, TieWordEmbeddings: false, BosTokenId: 1, EosTokenIds: [2]), seed, DType.F32)
        select new AmphistaTrainingCase(model,
            AmphistaConfig.ForBaseModel(model.Config, heads, stages, blockLayers) with
            {
                AdaptationIntermediateSize = f, NumHeads = kv * share, NumKvHeads = kv, HeadDim = dh, LossDecay = 0.7f,
            },
            DType.F32, length, seed);

    [Fact]
    public void EveryParametersGradientMatchesFiniteDifferencesAndTheStatisticsTheLoss() => Properties.Check(TinyCases, c =>
    {
        var trainable = Trainable(c);
        var (hidden, tokens) = c.Sequence();
        var statistics = trainable.Accumulate(K, hidden, tokens, 1f);

        var logits = trainable.Logits(K, hidden, tokens);   // K × [T − 1, V]
        for (int k = 0; k < c.Config.Heads; k++)
        {
            var (sum, count) = HeadLoss(logits[k], tokens, k);
            Assert.Equal(Math.Max(0, c.Length - 2 - k), statistics.Count[k]);
            Assert.True(Math.Abs(statistics.LossSum[k] - sum) <= 1e-5 * (1 + sum), $"head {k} loss sum {statistics.LossSum[k]}, expected {sum}: {c}");
            Assert.Equal(Enumerable.Range(0, count).Count(i => Argmax(logits[k].Row(i)) == tokens[i + 2 + k]), statistics.Correct[k]);
        }
        GradCheck.Check($"Amphista drafter {c}", () => Loss(trainable.Logits(K, hidden, tokens), tokens, c.Config.LossDecay),
            trainable.Parameters.Select(GradCheck.Of), c.Seed, maxPerProbe: 4);
    }, maxTest: 8);

    [Fact]
    public void ScaleMultipliesEveryGradientExactly() => Properties.Check(TinyCases, c =>
    {
        var (once, twice) = (Trainable(c), Trainable(c));
        var (hidden, tokens) = c.Sequence();
        once.Accumulate(K, hidden, tokens, 1f);
        twice.Accumulate(K, hidden, tokens, 2f);
        foreach (var (p, q) in once.Parameters.Zip(twice.Parameters))
            Assertions.BitwiseEqual(p.Grad.Data.Select(g => 2 * g).ToArray(), q.Grad.Data, $"{p.Name} at scale 2: {c}");
    }, maxTest: 10);

    [Fact]
    public void GradientsGatheredFromABatchSlotEqualThoseAddedDirectly() => Properties.Check(AmphistaTrainingCase.Gen(maxLength: 40), c =>
    {
        var (direct, slotted) = (Trainable(c), Trainable(c));
        var (hidden, tokens) = c.Sequence();
        direct.Accumulate(new SequenceKernels(), hidden, tokens, 1f);
        slotted.Parameters.UseSlots(2);
        slotted.Accumulate(new SequenceKernels(slot: 1), hidden, tokens, 1f);
        slotted.Parameters.GatherSlots(2);
        foreach (var (p, q) in direct.Parameters.Zip(slotted.Parameters))
            Assertions.BitwiseEqual(p.Grad.Data, q.Grad.Data, $"{p.Name} added directly and gathered from slot 1: {c}");
    }, maxTest: 5);

    [Fact]
    public void GroupingTheBlocksPositionsChangesNoBit() => Properties.Check(TinyCases, c =>
    {
        int n = c.Length;   // positions
        var rope = new RopeTable(c.Config.HeadDim, 1, c.Config.RopeTheta);
        var stageOutputs = Enumerable.Range(0, c.Config.Stages).Select(s => Rand.Tensor(n, c.Config.HiddenSize, c.Seed + s)).ToArray();   // S × [N, D]
        var du = Rand.Tensor(n * c.Config.Heads, c.Config.HiddenSize, c.Seed + 10);   // [N·K, D]
        AmphistaTrainableBlock Block(int positionsPerGroup)
        {
            var rng = new RandomWeights(c.Seed + 20);
            var layers = Enumerable.Range(0, c.Config.BlockLayers)
                .Select(b => DecoderLayerParameters.Create($"auto_embedding.layers.{b}.", c.Config.HiddenSize,
                    c.Config.AdaptationIntermediateSize, c.Config.Shape, rng, std: 0.3f)).ToArray();
            return new AmphistaTrainableBlock(c.Config, Parameter.Normal(AmphistaCheckpoint.HeadEmbeddingsKey, c.Config.Heads,
                c.Config.HiddenSize, 0.5f, rng), layers, rope, positionsPerGroup);
        }
        (Tensor U, Tensor[] DStages, AmphistaTrainableBlock Block) Run(int positionsPerGroup)
        {
            var block = Block(positionsPerGroup);
            var (u, cache) = block.Forward(K, stageOutputs);
            return (u, block.Backward(K, cache, du), block);
        }

        var whole = Run(n);   // one group: a single block-diagonal [N·K, N·K] mask
        foreach (int g in new[] { 1, 2 })
        {
            var grouped = Run(g);
            Assertions.BitwiseEqual(whole.U.Data, grouped.U.Data, $"u with groups of {g}: {c}");
            foreach (var (e, a) in whole.DStages.Zip(grouped.DStages)) Assertions.BitwiseEqual(e.Data, a.Data, $"∂a with groups of {g}: {c}");
            var (wholeParameters, groupedParameters) = (Parameters(whole.Block), Parameters(grouped.Block));
            foreach (var (e, a) in wholeParameters.Zip(groupedParameters))
                Assertions.BitwiseEqual(e.Grad.Data, a.Grad.Data, $"{e.Name} gradient with groups of {g}: {c}");
        }
    }, maxTest: 15);

    private static IEnumerable<Parameter> Parameters(AmphistaTrainableBlock block) => [block.HeadEmbeddings, .. block.Layers.SelectMany(l => l.All)];

    private static AmphistaTrainable Trainable(AmphistaTrainingCase c)
    {
        var trainable = AmphistaTrainable.FromWeights(c.Model.Build(), AmphistaWeights.Random(c.Config, c.Seed));
        Randomize(trainable.Parameters, c.Seed + 3);
        return trainable;
    }

    private static int Argmax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int v = 1; v < row.Length; v++)
            if (row[v] > row[best]) best = v;
        return best;
    }
}
