using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Amphista.Tensors.Kernels;

namespace Amphista.Training;

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

    /// <summary>The width of every training product: the widest this machine accelerates unless a test sets another (bits never depend on it).</summary>
    public static VectorWidth Width
    {
        get => width;
        set => width = VectorWidth.All.Contains(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), $"no vector width of {value.Bits} bits");
    }

    /// <summary>Σ a[i]·b[i] in <see cref="ReductionOrder"/>.</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"dot of lengths {a.Length} and {b.Length}");
        ref float pa = ref MemoryMarshal.GetReference(a), pb = ref MemoryMarshal.GetReference(b);
        return width.Bits switch
        {
            512 => FixedOrderSimd<Simd512, Vector512<float>>.Dot(ref pa, ref pb, a.Length),
            256 => FixedOrderSimd<Simd256, Vector256<float>>.Dot(ref pa, ref pb, a.Length),
            128 => FixedOrderSimd<Simd128, Vector128<float>>.Dot(ref pa, ref pb, a.Length),
            _ => FixedOrderSimd<SimdScalar, float>.Dot(ref pa, ref pb, a.Length),
        };
    }

    /// <summary>acc[i] = fma(p, v[i], acc[i]): elementwise, so each element's order is the caller's loop order.</summary>
    public static void MultiplyAdd(Span<float> acc, float p, ReadOnlySpan<float> v)
    {
        if (acc.Length != v.Length) throw new ArgumentException($"multiply-add of lengths {acc.Length} and {v.Length}");
        ref float pa = ref MemoryMarshal.GetReference(acc), pv = ref MemoryMarshal.GetReference(v);
        switch (width.Bits)
        {
            case 512: FixedOrderSimd<Simd512, Vector512<float>>.MultiplyAdd(ref pa, p, ref pv, acc.Length); break;
            case 256: FixedOrderSimd<Simd256, Vector256<float>>.MultiplyAdd(ref pa, p, ref pv, acc.Length); break;
            case 128: FixedOrderSimd<Simd128, Vector128<float>>.MultiplyAdd(ref pa, p, ref pv, acc.Length); break;
            default: FixedOrderSimd<SimdScalar, float>.MultiplyAdd(ref pa, p, ref pv, acc.Length); break;
        }
    }
}
