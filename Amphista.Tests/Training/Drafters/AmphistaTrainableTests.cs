using Amphista.Decoding.Drafting.Amphista;
using Amphista.Model.Checkpoints;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Training.Core;
using Amphista.Tests.Support;
using Amphista.Training.Drafters;
using static Amphista.Tests.Drafting.Amphista.AmphistaFixtures;
using static Amphista.Tests.Drafting.Medusa.MedusaFixtures;
using static Amphista.Tests.Training.Drafters.AmphistaTrainableFixtures;

namespace Amphista.Tests.Training.Drafters;

/// <summary>
/// The trainable Amphista drafter computes, at every position i of a sequence, what an inference
/// session computes after committing positions 0..i one at a time (within 1e-5 relative to
/// 1 + |expected|: training and inference sum their dot products in different orders), both for
/// checkpoint weights it starts from (f32 or bf16) and for its own weights exported with ToDrafter;
/// and its checkpoints round-trip into a drafter that continues training identically.
/// </summary>
public class AmphistaTrainableTests
{
    private static readonly SequenceKernels K = new();

    [Fact]
    public void EveryPositionsLogitsEqualTheInferenceSessionsAfterCommittingUpToIt() =>
        Properties.Check(AmphistaTrainingCase.Gen(maxLength: 8), c =>
        {
            var model = c.Model.Build();
            var weights = AmphistaWeights.Random(c.Config, c.Seed, c.Type);
            var trainable = AmphistaTrainable.FromWeights(model, weights);
            AssertLogitsEqualSessions(trainable, new AmphistaDrafter(weights), model, c, "checkpoint weights");

            Randomize(trainable.Parameters, c.Seed + 3);
            AssertLogitsEqualSessions(trainable, (AmphistaDrafter)trainable.ToDrafter(), model, c, "trained weights");
        }, maxTest: 25);

    [Fact]
    public void SavedWeightsLoadBitExactUnderTheParameterNamesAndTrainingContinuesIdentically()
    {
        var model = BaseModel(12, 30);
        var trainable = AmphistaTrainable.Create(model, heads: 3, stages: 2, blockLayers: 2, mlpWidth: 10, seed: 5);
        Assert.Equal(AmphistaConfig.ForBaseModel(model.Config, 3, 2, 2) with { AdaptationIntermediateSize = 10 }, trainable.Config);
        Randomize(trainable.Parameters, seed: 6);
        string dir = Path.Combine(Path.GetTempPath(), $"amphista-trainable-{Guid.NewGuid():N}");
        try
        {
            trainable.Save(dir);
            var loaded = AmphistaWeights.Load(dir);
            AssertSameBits(trainable.ToWeights(), loaded);
            using (var file = Checkpoint.OpenFile(Path.Combine(dir, AmphistaCheckpoint.WeightsFileName)))
                Assert.Equal(trainable.Parameters.Select(p => p.Name).Order(), file.Names.Order());

            var resumed = AmphistaTrainable.FromWeights(model, loaded);
            Assert.Equal(trainable.Parameters.Select(p => p.ToString()), resumed.Parameters.Select(p => p.ToString()));
            var hidden = Rand.Tensor(9, 12, seed: 7);   // [T, D]
            int[] tokens = Tokens(9, 30, seed: 8);
            var expected = trainable.Accumulate(K, hidden, tokens, 1f);
            var actual = resumed.Accumulate(K, hidden, tokens, 1f);
            Assert.Equal(expected.LossSum, actual.LossSum);
            Assert.Equal(expected.Correct, actual.Correct);
            foreach (var (e, a) in trainable.Parameters.Zip(resumed.Parameters))
            {
                Assertions.BitwiseEqual(e.Value.Data, a.Value.Data, $"{e.Name} after resuming");
                Assertions.BitwiseEqual(e.Grad.Data, a.Grad.Data, $"{e.Name} gradient after resuming");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void WeightsThatDoNotFitTheBaseModelOrOwnTheirLmHeadsAreRefused()
    {
        var model = BaseModel(12, 30);
        var config = AmphistaConfig.ForBaseModel(model.Config, heads: 2);
        var narrower = AmphistaWeights.Random(config with { HiddenSize = 10 }, seed: 1);
        var ownHeads = AmphistaWeights.Random(config with { SharedLmHead = false }, seed: 1);

        Assert.Contains("hidden size 10", Assert.Throws<ArgumentException>(() => AmphistaTrainable.FromWeights(model, narrower)).Message);
        Assert.Contains("shared_lm_head", Assert.Throws<ArgumentException>(() => AmphistaTrainable.FromWeights(model, ownHeads)).Message);
    }

    private static void AssertLogitsEqualSessions(AmphistaTrainable trainable, AmphistaDrafter drafter, LlamaModel model,
        AmphistaTrainingCase c, string what)
    {
        var (hidden, tokens) = c.Sequence();
        var logits = trainable.Logits(K, hidden, tokens);   // K × [T − 1, V]
        var session = drafter.Begin(model);
        for (int i = 0; i + 1 < c.Length; i++)
        {
            CommitRange(session, hidden, tokens, i, 1);
            var expected = session.Logits();             // [K, V]
            for (int k = 0; k < c.Config.Heads; k++)
                Assertions.Close(expected.Row(k), logits[k].Row(i), 1e-5, $"{what}, position {i}, head {k}: {c}");
        }
    }
}
