using Amphista.Model;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using Amphista.Tests.Support;

namespace Amphista.Tests.Model;

/// <summary>
/// Named model shapes for speed work (--model random:PRESET): their configs are the published
/// models', their sizes follow from the config, and their random weights are reproducible from the
/// seed whatever the thread count. The 1 B and 7 B presets are checked from the config only.
/// </summary>
public sealed class ModelPresetsTests
{
    [Theory]
    [InlineData("tinyllama-1.1b", 1_100_048_384L)]   // TinyLlama's model card: 1.1 B
    [InlineData("vicuna-7b", 6_738_415_616L)]        // LLaMA-7B's exact count
    [InlineData("llama-68m", 68_030_208L)]
    [InlineData("kjv-brown-14m", 13_767_552L)]
    public void Each_preset_has_its_published_parameter_count(string name, long parameters)
    {
        var config = ModelPresets.Config(name);
        config.Validate(name);
        Assert.Equal(parameters, ModelSize.Parameters(config));
    }

    [Theory]
    [InlineData("tinyllama-1.1b", 2_068_844_544L)]   // (1,100,048,384 − 65,536,000 embedding + 2,048 row − 92,160 gains) · 2
    [InlineData("vicuna-7b", 13_214_162_944L)]       // (6,738,415,616 − 131,072,000 + 4,096 − 266,240) · 2
    [InlineData("llama-68m", 86_902_272L)]
    [InlineData("kjv-brown-14m", 24_380_160L)]
    public void Bf16_bytes_per_decode_token_are_the_layer_matrices_the_lm_head_and_one_embedding_row(string name, long bytes)
    {
        Assert.Equal(bytes, ModelSize.DecodeBytesPerToken(ModelPresets.Config(name), DType.BF16));
        Assert.Equal(2 * bytes, ModelSize.DecodeBytesPerToken(ModelPresets.Config(name), DType.F32));
    }

    [Theory]
    [InlineData("kjv-brown-14m")]
    [InlineData("llama-68m")]
    public void Sizes_computed_from_the_config_match_the_built_weights(string name)
    {
        var config = ModelPresets.Config(name);
        var weights = ModelPresets.Build(name, DType.BF16, seed: 1, threads: 2);
        long built = Matrices(weights).Sum(m => (long)m.Rows * m.Cols) + Gains(weights).Sum(g => (long)g.Length);
        Assert.Equal(ModelSize.Parameters(config), built);
        Assert.Equal(ModelSize.DecodeBytesPerToken(config, DType.BF16), weights.DecodeBytesPerToken);
        Assert.All(Matrices(weights), m => Assert.Equal(DType.BF16, m.Type));
    }

    [Fact]
    public void The_kjv_brown_14m_preset_is_the_demo_models_shape()
    {
        var demo = LlamaConfig.Load(TestData.DemoDir);
        var preset = ModelPresets.Config("kjv-brown-14m");
        Assert.Equal(demo, preset with { EosTokenIds = demo.EosTokenIds });
        Assert.Equal(demo.EosTokenIds, preset.EosTokenIds);
    }

    [Theory]
    [InlineData("kjv-brown-14m", 2)]
    [InlineData("kjv-brown-14m", 3)]
    [InlineData("llama-68m", 2)]
    public void Weights_are_identical_whatever_the_thread_count(string name, int threads)
    {
        var one = ModelPresets.Build(name, DType.BF16, seed: 7, threads: 1);
        var many = ModelPresets.Build(name, DType.BF16, seed: 7, threads: threads);
        var (a, b) = (Matrices(one).ToArray(), Matrices(many).ToArray());
        for (int i = 0; i < a.Length; i++)
            Assert.True(a[i].BF16.SequenceEqual(b[i].BF16),
                $"{name}: matrix {i} [{a[i].Rows}, {a[i].Cols}] differs between 1 and {threads} threads");
        var (ga, gb) = (Gains(one).ToArray(), Gains(many).ToArray());
        for (int i = 0; i < ga.Length; i++) Assertions.BitwiseEqual(ga[i], gb[i], $"{name}: norm gains {i}");
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights_and_another_seed_other_weights()
    {
        var first = ModelPresets.Build("kjv-brown-14m", DType.BF16, seed: 3, threads: 2).Layers[0].Wq.BF16.ToArray();
        var again = ModelPresets.Build("kjv-brown-14m", DType.BF16, seed: 3, threads: 2).Layers[0].Wq.BF16.ToArray();
        var other = ModelPresets.Build("kjv-brown-14m", DType.BF16, seed: 4, threads: 2).Layers[0].Wq.BF16.ToArray();
        Assert.True(first.AsSpan().SequenceEqual(again), "seed 3 built twice differs");
        int same = first.Zip(other).Count(p => p.First == p.Second);
        Assert.True(same < first.Length / 50, $"seeds 3 and 4 agree on {same} of {first.Length} weights");
    }

    [Fact]
    public void F32_weights_round_to_the_bf16_weights_of_the_same_seed()
    {
        var f32 = ModelPresets.Build("kjv-brown-14m", DType.F32, seed: 5, threads: 2);
        var bf16 = ModelPresets.Build("kjv-brown-14m", DType.BF16, seed: 5, threads: 2);
        var (a, b) = (Matrices(f32).ToArray(), Matrices(bf16).ToArray());
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(DType.F32, a[i].Type);
            Assert.True(a[i].F32.ToArray().Select(DTypes.SingleToBF16).SequenceEqual(b[i].BF16.ToArray()),
                $"matrix {i}: f32 weights rounded to bf16 differ from the bf16 build");
        }
    }

    [Fact]
    public void Weights_are_small_and_centred_and_norm_gains_are_near_one()
    {
        var weights = ModelPresets.Build("kjv-brown-14m", DType.F32, seed: 11, threads: 2);
        var (mean, std) = Moments(weights.Layers[2].Gate.F32.ToArray());
        Assert.True(Math.Abs(mean) < 1e-3 && Math.Abs(std - 0.02) < 0.001, $"gate weights: mean {mean:G3}, std {std:G3}; expected 0, 0.02");
        (mean, std) = Moments(weights.Embedding.F32.ToArray());
        Assert.True(Math.Abs(mean) < 1e-3 && Math.Abs(std - 0.04) < 0.002, $"embedding: mean {mean:G3}, std {std:G3}; expected 0, 0.04");
        Assert.All(Gains(weights).SelectMany(g => g), g => Assert.InRange(g, 0.8f, 1.2f));
    }

    [Fact]
    public void A_built_preset_runs_as_a_model_with_finite_varied_logits()
    {
        var config = ModelPresets.Config("kjv-brown-14m");
        var model = new LlamaModel(config, ModelPresets.Build("kjv-brown-14m", DType.BF16, seed: 1, threads: 2), new CpuKernels(2));
        int[] tokens = [config.BosTokenId, 100, 2000, 4095];
        var sequence = model.CreateSequenceState();
        var h = model.Forward(sequence, tokens, [0, 1, 2, 3], 0, AttentionMask.Causal(0, tokens.Length));
        var logits = model.Logits(sequence, h).Data;
        Assert.All(logits, x => Assert.True(float.IsFinite(x), $"logit {x} is not finite"));
        Assert.True(Moments(logits).Std > 0, "all logits are equal");
    }

    [Fact]
    public void An_unknown_preset_is_refused_with_the_known_names()
    {
        var e = Assert.Throws<AmphistaException>(() => ModelPresets.Config("gpt-2"));
        Assert.Contains("unknown model preset 'gpt-2'", e.Message);
        Assert.All(ModelPresets.Names, name => Assert.Contains(name, e.Message));
        Assert.Throws<AmphistaException>(() => ModelPresets.Build("gpt-2", DType.BF16, seed: 1, threads: 1));
    }

    [Fact]
    public void A_model_argument_names_a_preset_only_after_the_random_prefix()
    {
        Assert.Equal("tinyllama-1.1b", ModelPresets.Parse("random:tinyllama-1.1b"));
        Assert.Null(ModelPresets.Parse("models/kjv-brown-14m"));
        Assert.Null(ModelPresets.Parse("tinyllama-1.1b"));
        var e = Assert.Throws<AmphistaException>(() => ModelPresets.Parse("random:tinyllama"));
        Assert.Contains("unknown model preset 'tinyllama'", e.Message);
    }

    [Fact]
    public void Weights_are_built_only_as_f32_or_bf16()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelPresets.Build("kjv-brown-14m", DType.F16, seed: 1, threads: 1));
        Assert.Contains("f32 or bf16, not F16", e.Message);
    }

    private static IEnumerable<WeightMatrix> Matrices(LlamaWeights w) =>
        w.Layers.SelectMany(l => l.Matrices).Prepend(w.Embedding).Append(w.LmHead);

    private static IEnumerable<float[]> Gains(LlamaWeights w) =>
        w.Layers.SelectMany(l => new[] { l.AttentionNorm, l.MlpNorm }).Append(w.FinalNorm);

    private static (double Mean, double Std) Moments(float[] x)
    {
        double mean = x.Average(v => (double)v);
        return (mean, Math.Sqrt(x.Average(v => (v - mean) * (v - mean))));
    }
}
