using System.Runtime.CompilerServices;

namespace Amphista.Tensors.Kernels;

/// <summary>
/// The reductions of <see cref="ReductionOrder"/> at one vector width V. A vector of Lanes floats
/// holds Lanes whole partial sums, so the sixteen are kept as 16 / Lanes passes over the data, pass
/// g reading lanes g..g + Lanes − 1 of every block of 16 (one register per pass, the same chain per
/// partial sum at every width); the terms past the last full block go into their partial sums one at
/// a time; then the fixed tree. Never the address, the row count or the thread: this is what makes
/// the fast kernels batch-invariant, and equal to the reference at every width.
/// </summary>
internal static class FixedOrderSimd<V, TVec> where V : struct, IVectorOps<TVec> where TVec : struct
{
    /// <summary>Σ a[i]·b[i] over n elements from a and b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    [SkipLocalsInit]
    public static float Dot(ref float a, ref float b, int n)
    {
        Unsafe.SkipInit(out Partials16 partials);   // [16] every lane stored by a pass before it is read
        ref float p = ref partials[0];
        int blocks = n & ~15;
        for (int g = 0; ; g += V.Lanes)
        {
            TVec acc = V.Zero;
            for (int i = g; i < blocks; i += 16) acc = V.FusedMultiplyAdd(V.Load(ref a, i), V.Load(ref b, i), acc);
            // The final pass's sums stay in a register when no tail follows them.
            if (g == 16 - V.Lanes && blocks == n) return ReductionOrder.Finish(V.Fold(ref p, acc));
            V.Store(acc, ref p, g);
            if (g == 16 - V.Lanes) break;
        }
        for (int i = blocks; i < n; i++)
            Unsafe.Add(ref p, i & 15) = MathF.FusedMultiplyAdd(Unsafe.Add(ref a, i), Unsafe.Add(ref b, i), Unsafe.Add(ref p, i & 15));
        return ReductionOrder.Combine(ref p);
    }

    /// <summary>
    /// The dot products of a with four rows b0..b3 (n elements each) into r[0..3], each exactly
    /// <see cref="Dot"/>: four independent chains per pass keep the fused multiply-add units busy
    /// where a single short dot product would wait on its own chain (attention scores).
    /// </summary>
    [SkipLocalsInit]
    public static void Dot4(ref float a, ref float b0, ref float b1, ref float b2, ref float b3, int n, Span<float> r)
    {
        if ((n & 15) != 0)
        {
            r[0] = Dot(ref a, ref b0, n);
            r[1] = Dot(ref a, ref b1, n);
            r[2] = Dot(ref a, ref b2, n);
            r[3] = Dot(ref a, ref b3, n);
            return;
        }
        Unsafe.SkipInit(out Partials64 partials);   // [4, 16] each row's earlier passes, stored before read
        ref float p = ref partials[0];
        for (int g = 0; ; g += V.Lanes)
        {
            TVec s0 = V.Zero, s1 = V.Zero, s2 = V.Zero, s3 = V.Zero;
            for (int i = g; i < n; i += 16)
            {
                var x = V.Load(ref a, i);
                s0 = V.FusedMultiplyAdd(x, V.Load(ref b0, i), s0);
                s1 = V.FusedMultiplyAdd(x, V.Load(ref b1, i), s1);
                s2 = V.FusedMultiplyAdd(x, V.Load(ref b2, i), s2);
                s3 = V.FusedMultiplyAdd(x, V.Load(ref b3, i), s3);
            }
            if (g == 16 - V.Lanes)
            {
                r[0] = ReductionOrder.Finish(V.Fold(ref p, s0));
                r[1] = ReductionOrder.Finish(V.Fold(ref Unsafe.Add(ref p, 16), s1));
                r[2] = ReductionOrder.Finish(V.Fold(ref Unsafe.Add(ref p, 32), s2));
                r[3] = ReductionOrder.Finish(V.Fold(ref Unsafe.Add(ref p, 48), s3));
                return;
            }
            V.Store(s0, ref p, g);
            V.Store(s1, ref p, 16 + g);
            V.Store(s2, ref p, 32 + g);
            V.Store(s3, ref p, 48 + g);
        }
    }

    /// <summary>Σ a[i] over n elements from a.</summary>
    [SkipLocalsInit]
    public static float Sum(ref float a, int n)
    {
        Unsafe.SkipInit(out Partials16 partials);   // [16] every lane stored by a pass before it is read
        ref float p = ref partials[0];
        int blocks = n & ~15;
        for (int g = 0; g < 16; g += V.Lanes)
        {
            TVec acc = V.Zero;
            for (int i = g; i < blocks; i += 16) acc = V.Add(acc, V.Load(ref a, i));
            V.Store(acc, ref p, g);
        }
        for (int i = blocks; i < n; i++) Unsafe.Add(ref p, i & 15) += Unsafe.Add(ref a, i);
        return ReductionOrder.Combine(ref p);
    }

    /// <summary>acc[i] = fma(p, v[i], acc[i]) over n elements: elementwise, so each element's order is the caller's loop order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MultiplyAdd(ref float acc, float p, ref float v, int n)
    {
        int i = 0;
        var vp = V.Create(p);
        for (; i <= n - V.Lanes; i += V.Lanes) V.Store(V.FusedMultiplyAdd(vp, V.Load(ref v, i), V.Load(ref acc, i)), ref acc, i);
        for (; i < n; i++) Unsafe.Add(ref acc, i) = MathF.FusedMultiplyAdd(p, Unsafe.Add(ref v, i), Unsafe.Add(ref acc, i));
    }
}

/// <summary>Four rows' sixteen partial sums on the stack.</summary>
[InlineArray(4 * ReductionOrder.Partials)]
internal struct Partials64
{
    private float element;
}

/// <summary>Sixteen partial sums on the stack.</summary>
[InlineArray(ReductionOrder.Partials)]
internal struct Partials16
{
    private float element;
}
