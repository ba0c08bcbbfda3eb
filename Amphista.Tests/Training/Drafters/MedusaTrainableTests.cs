using Amphista.Decoding.Drafting.Medusa;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Training.Core;
using Amphista.Tests.Support;
using Amphista.Training.Drafters;

namespace Amphista.Tests.Training.Drafters;

/// <summary>
/// Medusa heads in training: the forward is the inference head's (hf-tiny-a's real hidden states, random
/// heads, shared and own LM heads, 1 and 2 blocks), export round-trips and drafts the same tokens, fresh
/// heads are the base model's next-token guess, and Accumulate's gradients match finite differences of
/// its own loss Σ_k λ^k mean CE_k (<see cref="GradCheck"/> states the tolerance).
/// </summary>
public class MedusaTrainableTests
{
    private static readonly SequenceKernels Kernels = new();

    private static readonly int[] Prompt = [1, 17, 250, 3, 99, 402, 8, 77, 310, 5, 64];

    private static Tensor HiddenOf(LlamaModel model, int[] tokens) =>
        model.Forward(model.CreateSequenceState(), tokens, Enumerable.Range(0, tokens.Length).ToArray(), 0, AttentionMask.Causal(0, tokens.Length));   // [T, D]

    [Theory]
    [InlineData(true, 1, DType.F32)]
    [InlineData(true, 2, DType.BF16)]
    [InlineData(false, 1, DType.BF16)]
    [InlineData(false, 2, DType.F32)]
    public void Logits_equal_the_inference_heads_at_every_position(bool shared, int layers, DType type)
    {
        var model = TestData.Tiny;
        var config = new MedusaConfig(3, layers, model.Config.HiddenSize, model.Config.VocabSize, shared);
        var weights = MedusaWeights.Random(config, seed: 5, type);
        var trainable = MedusaTrainable.FromWeights(weights, model.Weights.LmHead);
        var hidden = HiddenOf(model, Prompt);
        var logits = trainable.Logits(Kernels, hidden);   // [K] of [T, V]
        var buffers = new MedusaHeadBuffers(model.Kernels, config.HiddenSize, config.VocabSize);
        for (int k = 0; k < config.Heads; k++)
            for (int t = 0; t < hidden.Rows; t++)
            {
                weights.Heads[k].Forward(model.Kernels, Rand.RowOf(hidden, t), model.Weights.LmHead, buffers);
                Assertions.Close(buffers.Logits.Data, logits[k].Row(t), 1e-5, $"head {k} position {t}");
            }
    }

    [Fact]
    public void Export_round_trips_the_weights_and_drafts_the_trainable_top_tokens()
    {
        var model = TestData.Tiny;
        var weights = MedusaWeights.Random(new MedusaConfig(3, 1, model.Config.HiddenSize, model.Config.VocabSize, SharedLmHead: false), seed: 9);
        var trainable = MedusaTrainable.FromWeights(weights, model.Weights.LmHead);
        var exported = trainable.ToWeights();
        for (int k = 0; k < 3; k++)
        {
            Assertions.BitwiseEqual(weights.Heads[k].Blocks[0].Weight.F32, exported.Heads[k].Blocks[0].Weight.F32, $"head {k} W");
            Assertions.BitwiseEqual(weights.Heads[k].Blocks[0].Bias, exported.Heads[k].Blocks[0].Bias, $"head {k} b");
            Assertions.BitwiseEqual(weights.Heads[k].LmHead!.F32, exported.Heads[k].LmHead!.F32, $"head {k} LM head");
        }
        var hidden = HiddenOf(model, Prompt);
        var session = trainable.ToDrafter().Begin(model);
        session.Commit(hidden, Enumerable.Range(0, Prompt.Length).ToArray(), [.. Prompt[1..], 2]);
        var drafted = session.Draft(heads: 3, topK: 3);
        var logits = trainable.Logits(Kernels, hidden);
        for (int k = 0; k < 3; k++)
        {
            var last = logits[k].Row(hidden.Rows - 1).ToArray();
            int[] expected = [.. Enumerable.Range(0, last.Length).OrderByDescending(v => last[v]).ThenBy(v => v).Take(3)];
            Assert.Equal(expected, drafted[k]);
        }
    }

    [Fact]
    public void Fresh_heads_are_the_base_models_next_token_guess_and_save_loads()
    {
        var model = TestData.Tiny;
        var trainable = MedusaTrainable.Create(model, heads: 2, layers: 2, sharedLmHead: false, baseModel: "hf-tiny-a");
        var hidden = HiddenOf(model, Prompt);
        var baseLogits = model.Logits(model.CreateSequenceState(), hidden);   // [T, V], in the buffers of a sequence state of its own
        foreach (var logits in trainable.Logits(Kernels, hidden)) Assertions.Close(baseLogits, logits, 1e-5, "fresh head");
        string directory = Path.Combine(Path.GetTempPath(), $"amphista-medusa-{Guid.NewGuid():N}");
        try
        {
            trainable.Save(directory);
            var loaded = MedusaWeights.Load(directory);
            Assert.Equal(trainable.Config, loaded.Config);
            Assertions.BitwiseEqual(trainable.Parameters[0].Value.Data, loaded.Heads[0].Blocks[0].Weight.F32, "saved W");
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    [Theory]
    [InlineData(true, 1, 7)]
    [InlineData(false, 2, 6)]
    [InlineData(true, 1, 3)]   // only head 0 has a target
    public void Accumulate_gradients_match_finite_differences_of_its_loss(bool shared, int layers, int length)
    {
        const int D = 8, V = 12, K = 3;
        var baseLmHead = new RandomWeights(1).Matrix(V, D, 0.5f);   // [V, D]
        var heads = Enumerable.Range(0, K).Select(k => new MedusaHead(
            [.. Enumerable.Range(0, layers).Select(l => new ResBlock(new RandomWeights(10 + 3 * k + l).Matrix(D, D, 0.3f), new RandomWeights(40 + 3 * k + l).Vector(D, 0.3f)))],
            shared ? null : new RandomWeights(70 + k).Matrix(V, D, 0.5f))).ToArray();
        var trainable = MedusaTrainable.FromWeights(new MedusaWeights(new MedusaConfig(K, layers, D, V, shared), heads), baseLmHead, lossDecay: 0.7f);
        var hidden = Rand.Tensor(length, D, seed: 3);                                    // [T, D]
        int[] tokens = [.. Enumerable.Range(0, length).Select(i => (5 * i + 2) % V)];

        var stats = trainable.Accumulate(Kernels, hidden, tokens, scale: 1f);
        for (int k = 0; k < K; k++) Assert.Equal(Math.Max(0, length - 2 - k), stats.Count[k]);
        // Scale 0 adds exactly zero to the gradients, so the loss can be re-evaluated without disturbing them.
        double Loss()
        {
            var s = trainable.Accumulate(Kernels, hidden, tokens, scale: 0f);
            return Enumerable.Range(0, K).Sum(k => Math.Pow(0.7, k) * s.Loss(k));
        }
        GradCheck.Check($"medusa shared {shared} layers {layers} T {length}", Loss, trainable.Parameters.Select(GradCheck.Of), seed: 11);
    }

    [Fact]
    public void Accumulate_scales_the_gradient_and_counts_top_1_hits()
    {
        var model = TestData.Tiny;
        var weights = MedusaWeights.Random(new MedusaConfig(2, 1, model.Config.HiddenSize, model.Config.VocabSize), seed: 2);
        var hidden = HiddenOf(model, Prompt);
        var full = MedusaTrainable.FromWeights(weights, model.Weights.LmHead);
        var half = MedusaTrainable.FromWeights(weights, model.Weights.LmHead);
        var logits = full.Logits(Kernels, hidden);
        int ArgMax(int k, int row) => Array.IndexOf(logits[k].Row(row).ToArray(), logits[k].Row(row).ToArray().Max());
        // Targets: head 0's own top token at even rows, so some hits are certain; the hidden states need not match them.
        int[] tokens = [.. Prompt.Select((token, j) => j >= 2 && j % 2 == 0 ? ArgMax(0, j - 2) : token)];
        var stats = full.Accumulate(Kernels, hidden, tokens, 1f);
        half.Accumulate(Kernels, hidden, tokens, 0.5f);
        for (int i = 0; i < full.Parameters.Count; i++)
            Assertions.Close(full.Parameters[i].Grad.Data.Select(g => g / 2).ToArray(), half.Parameters[i].Grad.Data, 1e-6, full.Parameters[i].Name);
        for (int k = 0; k < 2; k++)
            Assert.Equal(Enumerable.Range(0, Prompt.Length - 2 - k).Count(i => ArgMax(k, i) == tokens[i + 2 + k]), stats.Correct[k]);
        Assert.True(stats.Correct[0] >= (Prompt.Length - 1) / 2, $"head 0 hit {stats.Correct[0]} of its planted targets");
    }
}
