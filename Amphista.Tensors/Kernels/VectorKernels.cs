using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Amphista.Tensors.Kernels;

/// <summary>
/// The vector code of <see cref="CpuKernels"/> at one width, chosen once when the kernels are made:
/// one generic implementation (<see cref="VectorKernels{V, TVec}"/>) compiled per width, so no call
/// inside a kernel asks which width it runs at.
/// </summary>
internal abstract class VectorKernels
{
    public static VectorKernels For(VectorWidth width) => width.Bits switch
    {
        512 => new VectorKernels<Simd512, Vector512<float>>(),
        256 => new VectorKernels<Simd256, Vector256<float>>(),
        128 => new VectorKernels<Simd128, Vector128<float>>(),
        _ => new VectorKernels<SimdScalar, float>(),
    };

    /// <summary>The product's threaded work with its operands set (the caller holds the kernels' lock).</summary>
    public abstract IPartitioned MatMul(Tensor x, WeightMatrix w, Tensor y);

    /// <summary>Attention's threaded work (one job per query head) with its operands set.</summary>
    public abstract IPartitioned Attention(Tensor q, Tensor k, Tensor v, AttentionMask mask, int headDim, Tensor y);

    /// <summary>Σ a[i]·b[i], in the reduction order.</summary>
    public abstract float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b);

    /// <summary>Σ a[i], in the reduction order.</summary>
    public abstract float Sum(ReadOnlySpan<float> a);

    /// <summary>acc[i] = fma(p, v[i], acc[i]).</summary>
    public abstract void MultiplyAdd(Span<float> acc, float p, ReadOnlySpan<float> v);

    /// <summary>x[i] = e^(x[i] − shift), in place.</summary>
    public abstract void ExpShifted(Span<float> x, float shift);

    public abstract void Silu(ReadOnlySpan<float> x, Span<float> y);

    public abstract void SwiGlu(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> y);

    /// <summary>(lower, upper) ← (lower·cos − upper·sin, upper·cos + lower·sin), elementwise, unfused.</summary>
    public abstract void Rotate(Span<float> lower, Span<float> upper, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin);
}

internal sealed class VectorKernels<V, TVec> : VectorKernels where V : struct, IVectorOps<TVec> where TVec : struct
{
    private readonly MatMulWork<V, TVec> matMul = new();
    private readonly AttentionWork<V, TVec> attention = new();

    public override IPartitioned MatMul(Tensor x, WeightMatrix w, Tensor y)
    {
        matMul.Set(x, w, y);
        return matMul;
    }

    public override IPartitioned Attention(Tensor q, Tensor k, Tensor v, AttentionMask mask, int headDim, Tensor y)
    {
        attention.Set(q, k, v, mask, headDim, y);
        return attention;
    }

    public override float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        FixedOrderSimd<V, TVec>.Dot(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), a.Length);

    public override void MultiplyAdd(Span<float> acc, float p, ReadOnlySpan<float> v) =>
        FixedOrderSimd<V, TVec>.MultiplyAdd(ref MemoryMarshal.GetReference(acc), p, ref MemoryMarshal.GetReference(v), acc.Length);

    public override float Sum(ReadOnlySpan<float> a) => FixedOrderSimd<V, TVec>.Sum(ref MemoryMarshal.GetReference(a), a.Length);

    public override void ExpShifted(Span<float> x, float shift) => FixedExp.ExpShifted<V, TVec>(x, shift);

    public override void Silu(ReadOnlySpan<float> x, Span<float> y) => FixedExp.Silu<V, TVec>(x, y);

    public override void SwiGlu(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> y) => FixedExp.SwiGlu<V, TVec>(gate, up, y);

    public override void Rotate(Span<float> lower, Span<float> upper, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin)
    {
        ref float pl = ref MemoryMarshal.GetReference(lower), pu = ref MemoryMarshal.GetReference(upper);
        ref float pc = ref MemoryMarshal.GetReference(cos), ps = ref MemoryMarshal.GetReference(sin);
        int i = 0;
        for (; i <= lower.Length - V.Lanes; i += V.Lanes)
        {
            TVec x1 = V.Load(ref pl, i), x2 = V.Load(ref pu, i), c = V.Load(ref pc, i), s = V.Load(ref ps, i);
            V.Store(V.Subtract(V.Multiply(x1, c), V.Multiply(x2, s)), ref pl, i);
            V.Store(V.Add(V.Multiply(x2, c), V.Multiply(x1, s)), ref pu, i);
        }
        for (; i < lower.Length; i++)
        {
            float x1 = lower[i], x2 = upper[i];
            lower[i] = x1 * cos[i] - x2 * sin[i];
            upper[i] = x2 * cos[i] + x1 * sin[i];
        }
    }
}
