using Amphista.Tensors;
using Amphista.Training.Core;
using Amphista.Tensors.Kernels;
using Amphista.Tests.Support;
using Amphista.Training;
using Amphista.Training.Layers;

namespace Amphista.Tests.Training;

/// <summary>Attention backward (dq, dk, dv) against finite differences; forward against the inference reference.</summary>
public class AttentionGradientTests
{
    private static readonly SequenceKernels K = new();

    [Fact]
    public void Attention_gradients_match_finite_differences() => Properties.Check(AttentionShape.Gen, c =>
    {
        var mask = c.BuildMask();
        var q = Rand.Tensor(c.T, c.Heads * c.HeadDim, c.Seed);        // [T, H·Dh]
        var k = Rand.Tensor(c.T, c.KvHeads * c.HeadDim, c.Seed + 1);  // [T, Hkv·Dh]
        var v = Rand.Tensor(c.T, c.KvHeads * c.HeadDim, c.Seed + 2);  // [T, Hkv·Dh]
        var r = Rand.Tensor(c.T, q.Cols, c.Seed + 3);                 // [T, H·Dh]
        var (dq, dk, dv) = (new Tensor(q.Rows, q.Cols), new Tensor(k.Rows, k.Cols), new Tensor(v.Rows, v.Cols));
        Attention.Backward(K, Attention.Forward(K, q, k, v, mask, c.HeadDim).Saved, r, dq, dk, dv);
        GradCheck.Check($"attention {c}", () => GradCheck.Project(Attention.Forward(K, q, k, v, mask, c.HeadDim).Y, r),
            [GradCheck.Of("q", q, dq), GradCheck.Of("k", k, dk), GradCheck.Of("v", v, dv)], c.Seed);
    });

    [Fact]
    public void Attention_forward_matches_the_reference_kernel() => Properties.Check(AttentionShape.Gen, c =>
    {
        var mask = c.BuildMask();
        var q = Rand.Tensor(c.T, c.Heads * c.HeadDim, c.Seed);
        var k = Rand.Tensor(c.T, c.KvHeads * c.HeadDim, c.Seed + 1);
        var v = Rand.Tensor(c.T, c.KvHeads * c.HeadDim, c.Seed + 2);
        var expected = new Tensor(q.Rows, q.Cols);
        new ReferenceKernels().Attention(q, k, v, mask, c.HeadDim, expected);
        Assertions.Close(expected, Attention.Forward(K, q, k, v, mask, c.HeadDim).Y, 1e-5, $"attention {c}");
    });
}
