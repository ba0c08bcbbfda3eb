using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Amphista.Tensors.Kernels;

/// <summary>
/// Reductions whose summation order depends only on the vector length n: four Vector512
/// accumulators over blocks of 64, one over blocks of 16, a fixed pairwise combine, then a scalar
/// tail. Never on the address, the row count or the thread; this is what makes the fast kernels
/// batch-invariant. (TensorPrimitives may align to the buffer address, so it is not used for sums.)
/// </summary>
internal static class FixedOrderSimd
{
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        Dot(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), a.Length);

    /// <summary>Σ a[i]·b[i] over n elements from pa and pb (for kernels that walk raw rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ref float pa, ref float pb, int n)
    {
        int i = 0;
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        for (; i <= n - 64; i += 64)
        {
            s0 = Vector512.FusedMultiplyAdd(Load(ref pa, i), Load(ref pb, i), s0);
            s1 = Vector512.FusedMultiplyAdd(Load(ref pa, i + 16), Load(ref pb, i + 16), s1);
            s2 = Vector512.FusedMultiplyAdd(Load(ref pa, i + 32), Load(ref pb, i + 32), s2);
            s3 = Vector512.FusedMultiplyAdd(Load(ref pa, i + 48), Load(ref pb, i + 48), s3);
        }
        for (; i <= n - 16; i += 16)
            s0 = Vector512.FusedMultiplyAdd(Load(ref pa, i), Load(ref pb, i), s0);
        float sum = Vector512.Sum((s0 + s1) + (s2 + s3));
        for (; i < n; i++) sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref pa, i), Unsafe.Add(ref pb, i), sum);
        return sum;
    }

    public static float SumOfSquares(ReadOnlySpan<float> a) => Dot(a, a);

    public static float Sum(ReadOnlySpan<float> a)
    {
        int n = a.Length, i = 0;
        ref float pa = ref MemoryMarshal.GetReference(a);
        Vector512<float> s0 = default, s1 = default;
        for (; i <= n - 32; i += 32)
        {
            s0 += Load(ref pa, i);
            s1 += Load(ref pa, i + 16);
        }
        for (; i <= n - 16; i += 16) s0 += Load(ref pa, i);
        float sum = Vector512.Sum(s0 + s1);
        for (; i < n; i++) sum += Unsafe.Add(ref pa, i);
        return sum;
    }

    /// <summary>acc[i] += p * v[i]: elementwise, so each element's order is the caller's loop order.</summary>
    public static void MultiplyAdd(Span<float> acc, float p, ReadOnlySpan<float> v) =>
        MultiplyAdd(ref MemoryMarshal.GetReference(acc), p, ref MemoryMarshal.GetReference(v), acc.Length);

    /// <summary>acc[i] += p * v[i] over n elements from pacc and pv.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MultiplyAdd(ref float pa, float p, ref float pv, int n)
    {
        int i = 0;
        var vp = Vector512.Create(p);
        for (; i <= n - 16; i += 16)
            Vector512.FusedMultiplyAdd(vp, Load(ref pv, i), Load(ref pa, i)).StoreUnsafe(ref pa, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref pa, i) = MathF.FusedMultiplyAdd(p, Unsafe.Add(ref pv, i), Unsafe.Add(ref pa, i));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Load(ref float p, int i) => Vector512.LoadUnsafe(ref p, (nuint)i);
}
