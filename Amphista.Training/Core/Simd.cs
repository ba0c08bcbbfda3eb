using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Amphista.Training;

/// <summary>
/// The one dot-product order used by every training reduction: 16-lane fused multiply-adds in index
/// order into a single Vector512 accumulator, Vector512.Sum, then a scalar fused tail. The order
/// depends only on the length, never on addresses, rows or threads (see <see cref="Gemm"/>, whose
/// register tiles reproduce it element for element).
/// </summary>
public static unsafe class Simd
{
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"dot of lengths {a.Length} and {b.Length}");
        fixed (float* pa = a, pb = b) return Dot(pa, pb, a.Length);
    }

    internal static float Dot(float* a, float* b, int n)
    {
        var acc = Vector512<float>.Zero;
        int i = 0;
        for (; i <= n - 16; i += 16) acc = Vector512.FusedMultiplyAdd(Vector512.Load(a + i), Vector512.Load(b + i), acc);
        return Finish(acc, a, b, i, n);
    }

    /// <summary>Lane sum of a 16-chunk accumulator, then the scalar tail from index i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Finish(Vector512<float> acc, float* a, float* b, int i, int n)
    {
        float sum = Vector512.Sum(acc);
        for (; i < n; i++) sum = MathF.FusedMultiplyAdd(a[i], b[i], sum);
        return sum;
    }

    /// <summary>acc[i] += p · v[i]: elementwise, so each element's order is the caller's loop order.</summary>
    public static void MultiplyAdd(Span<float> acc, float p, ReadOnlySpan<float> v)
    {
        if (acc.Length != v.Length) throw new ArgumentException($"multiply-add of lengths {acc.Length} and {v.Length}");
        int n = acc.Length, i = 0;
        ref float pa = ref MemoryMarshal.GetReference(acc);
        ref float pv = ref MemoryMarshal.GetReference(v);
        var vp = Vector512.Create(p);
        for (; i <= n - 16; i += 16)
            Vector512.FusedMultiplyAdd(vp, Vector512.LoadUnsafe(ref pv, (nuint)i), Vector512.LoadUnsafe(ref pa, (nuint)i))
                .StoreUnsafe(ref pa, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref pa, i) = MathF.FusedMultiplyAdd(p, Unsafe.Add(ref pv, i), Unsafe.Add(ref pa, i));
    }
}
