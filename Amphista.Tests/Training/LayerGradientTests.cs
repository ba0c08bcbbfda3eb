using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using Amphista.Tests.Support;
using Amphista.Training;
using FsCheck.Fluent;
using Amphista.Training.Core;
using Amphista.Training.Layers;

namespace Amphista.Tests.Training;

/// <summary>
/// Every elementwise and dense backward against central finite differences of its forward
/// (tolerance stated and justified in <see cref="GradCheck"/>), over random small shapes.
/// </summary>
public class LayerGradientTests
{
    private static readonly SequenceKernels K = new();

    [Fact]
    public void Linear_gradients_match_finite_differences() => Properties.Check(DenseCase.Gen, c =>
    {
        var x = Rand.Tensor(c.T, c.D, c.Seed);                                         // [T, D]
        var w = new Parameter("w", Rand.Tensor(c.O, c.D, c.Seed + 1, 0.5f), true);     // [O, D]
        var b = c.Bias ? new Parameter("b", Rand.Tensor(1, c.O, c.Seed + 2), false) : null;
        var r = Rand.Tensor(c.T, c.O, c.Seed + 3);                                     // [T, O]
        var dx = new Tensor(c.T, c.D);
        Linear.Backward(K, x, w, b, r, dx);
        var probes = new List<Probe> { GradCheck.Of("x", x, dx), GradCheck.Of(w) };
        if (b is not null) probes.Add(GradCheck.Of(b));
        GradCheck.Check($"linear {c}", () => GradCheck.Project(Linear.Forward(K, x, w, b), r), probes, c.Seed);
    });

    [Fact]
    public void Frozen_linear_input_gradient_matches_finite_differences_for_f32_and_bf16() => Properties.Check(DenseCase.Gen, c =>
    {
        foreach (var type in new[] { DType.F32, DType.BF16 })
        {
            var frozen = new FrozenLinear(Rand.Matrix(c.O, c.D, c.Seed + 1, type));   // [O, D]
            var x = Rand.Tensor(c.T, c.D, c.Seed);                                   // [T, D]
            var r = Rand.Tensor(c.T, c.O, c.Seed + 3);                               // [T, O]
            var dx = new Tensor(c.T, c.D);
            frozen.Backward(K, r, dx);
            GradCheck.Check($"frozen {type} {c}", () => GradCheck.Project(frozen.Forward(K, x), r), [GradCheck.Of("x", x, dx)], c.Seed);
        }
    });

    [Fact]
    public void Linear_forward_matches_the_reference_matmul_and_frozen_lookup_reads_rows() => Properties.Check(DenseCase.Gen, c =>
    {
        var x = Rand.Tensor(c.T, c.D, c.Seed);
        var w = Rand.Matrix(c.O, c.D, c.Seed + 1, DType.BF16);
        var expected = new Tensor(c.T, c.O);
        new Amphista.Tensors.Kernels.ReferenceKernels().MatMul(x, w, expected);
        Assertions.Close(expected, new FrozenLinear(w).Forward(K, x), 1e-5, $"frozen forward {c}");
        var tokens = Enumerable.Range(0, c.T).Select(t => (c.Seed + t) % c.O).ToArray();
        var rows = new FrozenLinear(w).Lookup(tokens);
        var expectedRow = new float[c.D];
        for (int t = 0; t < c.T; t++)
        {
            w.ReadRow(tokens[t], expectedRow);
            Assertions.BitwiseEqual(expectedRow, rows.Row(t), $"lookup of token {tokens[t]}");
        }
    });

    [Fact]
    public void RmsNorm_gradients_match_finite_differences() => Properties.Check(DenseCase.Gen, c =>
    {
        // |x| ≥ 0.5 keeps each row's RMS far above the step ε: for D = 1, y ≈ g · sign(x) is a step
        // of width ~sqrt(eps) at 0 that a central difference cannot see through.
        var x = Rand.Tensor(c.T, c.D, c.Seed);
        for (int i = 0; i < x.Data.Length; i++) x.Data[i] += x.Data[i] >= 0 ? 0.5f : -0.5f;
        var gain = new Parameter("gain", new Tensor(1, c.D, new RandomWeights(c.Seed + 1).Gains(c.D)), false);
        var r = Rand.Tensor(c.T, c.D, c.Seed + 3);
        var dx = new Tensor(c.T, c.D);
        RmsNorm.Backward(K, RmsNorm.Forward(K, x, gain, 1e-5f).Saved, gain, r, dx);
        GradCheck.Check($"rmsnorm {c}", () => GradCheck.Project(RmsNorm.Forward(K, x, gain, 1e-5f).Y, r),
            [GradCheck.Of("x", x, dx), GradCheck.Of(gain)], c.Seed);
    });

    [Fact]
    public void Silu_and_SwiGlu_gradients_match_finite_differences() => Properties.Check(DenseCase.Gen, c =>
    {
        var x = Rand.Tensor(c.T, c.D, c.Seed, 2f);
        var up = Rand.Tensor(c.T, c.D, c.Seed + 1);
        var r = Rand.Tensor(c.T, c.D, c.Seed + 3);
        var (dx, dGate, dUp) = (new Tensor(c.T, c.D), new Tensor(c.T, c.D), new Tensor(c.T, c.D));
        Activations.SiluBackward(K, x, r, dx);
        GradCheck.Check($"silu {c}", () => GradCheck.Project(Activations.Silu(K, x), r), [GradCheck.Of("x", x, dx)], c.Seed);
        Activations.SwiGluBackward(K, x, up, r, dGate, dUp);
        GradCheck.Check($"swiglu {c}", () => GradCheck.Project(Activations.SwiGlu(K, x, up), r),
            [GradCheck.Of("gate", x, dGate), GradCheck.Of("up", up, dUp)], c.Seed);
    });

    [Fact]
    public void Rope_gradient_matches_finite_differences() => Properties.Check(AttentionShape.Gen, c =>
    {
        var table = new RopeTable(c.HeadDim, 64, 10000);
        var positions = Enumerable.Range(0, c.T).Select(t => (c.Seed + 11 * t) % 64).ToArray();
        var x = Rand.Tensor(c.T, c.Heads * c.HeadDim, c.Seed);
        var r = Rand.Tensor(c.T, x.Cols, c.Seed + 3);
        var dx = new Tensor(c.T, x.Cols, r.Data.ToArray());
        Rope.Backward(dx, positions, table);
        GradCheck.Check($"rope {c}", () =>
        {
            var rotated = new Tensor(x.Rows, x.Cols, x.Data.ToArray());
            Rope.Forward(K, rotated, positions, table);
            return GradCheck.Project(rotated, r);
        }, [GradCheck.Of("x", x, dx)], c.Seed);
    });

    [Fact]
    public void Residual_block_gradients_match_finite_differences() => Properties.Check(DenseCase.Gen, c =>
    {
        var x = Rand.Tensor(c.T, c.D, c.Seed);
        var w = new Parameter("w", Rand.Tensor(c.D, c.D, c.Seed + 1, 0.5f), true);
        var b = new Parameter("b", Rand.Tensor(1, c.D, c.Seed + 2), false);
        var r = Rand.Tensor(c.T, c.D, c.Seed + 3);
        var dx = new Tensor(c.T, c.D);
        ResidualBlock.Backward(K, ResidualBlock.Forward(K, x, w, b).Saved, w, b, r, dx);
        GradCheck.Check($"residual block {c}", () => GradCheck.Project(ResidualBlock.Forward(K, x, w, b).Y, r),
            [GradCheck.Of("x", x, dx), GradCheck.Of(w), GradCheck.Of(b)], c.Seed);
    });

    [Fact]
    public void Cross_entropy_gradient_matches_finite_differences_and_ignores_rows() => Properties.Check(DenseCase.Gen, c =>
    {
        var logits = Rand.Tensor(c.T, c.O, c.Seed, 3f);   // [T, V]
        var rng = new Random(c.Seed);
        var targets = Enumerable.Range(0, c.T).Select(_ => rng.Next(4) == 0 ? CrossEntropy.IgnoreIndex : rng.Next(c.O)).ToArray();
        float scale = 0.5f + (float)rng.NextDouble();
        var dLogits = new Tensor(c.T, c.O);
        var result = CrossEntropy.Compute(K, logits, targets, dLogits, scale);
        Assert.Equal(targets.Count(t => t != CrossEntropy.IgnoreIndex), result.Count);
        for (int t = 0; t < c.T; t++)
            if (targets[t] == CrossEntropy.IgnoreIndex) Assert.All(dLogits.Row(t).ToArray(), g => Assert.Equal(0f, g));
        GradCheck.Check($"cross-entropy {c}", () => CrossEntropy.Compute(K, logits, targets, null, scale).Loss,
            [GradCheck.Of("logits", logits, dLogits)], c.Seed);
    });

    [Fact]
    public void Soft_cross_entropy_gradient_matches_finite_differences() => Properties.Check(DenseCase.Gen, c =>
    {
        var logits = Rand.Tensor(c.T, c.O, c.Seed, 3f);                              // [T, V]
        var teacher = CrossEntropy.Teacher(K, new FrozenLinear(Rand.Matrix(c.O, c.D, c.Seed + 1, DType.F32)),
            Rand.Tensor(c.T + 2, c.D, c.Seed + 2, 2f));                                   // [T + 2, V] distributions
        var rng = new Random(c.Seed);
        var targets = Enumerable.Range(0, c.T).Select(_ => rng.Next(4) == 0 ? CrossEntropy.IgnoreIndex : rng.Next(c.O)).ToArray();
        float scale = 0.5f + (float)rng.NextDouble();
        var dLogits = new Tensor(c.T, c.O);
        var result = CrossEntropy.ComputeSoft(K, logits, teacher, 2, targets, dLogits, scale);
        Assert.Equal(targets.Count(t => t != CrossEntropy.IgnoreIndex), result.Count);
        GradCheck.Check($"soft cross-entropy {c}", () => CrossEntropy.ComputeSoft(K, logits, teacher, 2, targets, null, scale).Loss,
            [GradCheck.Of("logits", logits, dLogits)], c.Seed);
    });

    [Fact]
    public void Soft_cross_entropy_against_one_hot_rows_is_cross_entropy()
    {
        var logits = Rand.Tensor(5, 7, seed: 4, 3f);
        int[] targets = [3, CrossEntropy.IgnoreIndex, 0, 6, 6];
        var oneHot = new Tensor(6, 7);                                                   // row 1 + t: target t
        for (int t = 0; t < targets.Length; t++)
            if (targets[t] >= 0) oneHot[1 + t, targets[t]] = 1f;
        var (hard, soft) = (new Tensor(5, 7), new Tensor(5, 7));
        var expected = CrossEntropy.Compute(K, logits, targets, hard, 0.7f);
        var actual = CrossEntropy.ComputeSoft(K, logits, oneHot, 1, targets, soft, 0.7f);
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.Loss, actual.Loss, 5);
        Assertions.Close(hard, soft, 1e-7, "gradients of one-hot soft targets");
    }

    [Fact]
    public void The_teacher_is_the_base_models_softmax_at_each_position()
    {
        var lmHead = Rand.Matrix(9, 4, 3, DType.BF16);                                  // [V, D]
        var hidden = Rand.Tensor(3, 4, 5);                                               // [T, D]
        var p = CrossEntropy.Teacher(K, new FrozenLinear(lmHead), hidden);
        var logits = new Tensor(3, 9);
        new ReferenceKernels().MatMul(hidden, lmHead, logits);
        new ReferenceKernels().Softmax(logits);
        Assertions.Close(logits, p, 1e-6, "teacher distributions");
    }

    [Fact]
    public void Cross_entropy_is_stable_for_huge_logits_and_exact_for_a_known_case()
    {
        var logits = new Tensor(2, 3, [1000f, 1000f, -1000f, 0f, 0f, 0f]);
        var result = CrossEntropy.Compute(K, logits, [0, 2], null);
        Assert.Equal(2, result.Count);
        Assert.Equal((Math.Log(2) + Math.Log(3)) / 2, result.Loss, 5);
        Assert.Equal(0f, CrossEntropy.Compute(K, logits, [-1, -1], null).Loss);
    }
}
