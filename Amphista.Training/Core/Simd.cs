using Amphista.Tensors.Kernels;

namespace Amphista.Training.Core;

/// <summary>
/// The trainer's vector primitives, run by the inference kernels' code at <see cref="Width"/>: Dot is
/// exactly <see cref="ReductionOrder.Dot"/> (sixteen partial sums and the fixed tree, so training and
/// inference sum in one order, and every width gives the same bits); MultiplyAdd is elementwise, one
/// fused multiply-add per element, so its bits never depended on the width. <see cref="Gemm"/> and
/// <see cref="OuterGemm"/> run at the same width.
/// </summary>
public static class Simd
{
    private static VectorWidth width = VectorWidth.Widest;
    private static VectorKernels vector = VectorKernels.For(width);

    /// <summary>The width of every training product: the widest this machine accelerates unless a test sets another (bits never depend on it).</summary>
    public static VectorWidth Width
    {
        get => width;
        set
        {
            if (!VectorWidth.All.Contains(value)) throw new ArgumentOutOfRangeException(nameof(value), $"no vector width of {value.Bits} bits");
            (width, vector) = (value, VectorKernels.For(value));
        }
    }

    /// <summary>Σ a[i]·b[i] in <see cref="ReductionOrder"/>.</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        a.Length == b.Length ? vector.Dot(a, b) : throw new ArgumentException($"dot of lengths {a.Length} and {b.Length}");

    /// <summary>acc[i] = fma(p, v[i], acc[i]): elementwise, so each element's order is the caller's loop order.</summary>
    public static void MultiplyAdd(Span<float> acc, float p, ReadOnlySpan<float> v)
    {
        if (acc.Length != v.Length) throw new ArgumentException($"multiply-add of lengths {acc.Length} and {v.Length}");
        vector.MultiplyAdd(acc, p, v);
    }
}
