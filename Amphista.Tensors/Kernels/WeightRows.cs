using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Amphista.Tensors.Kernels;

/// <summary>One weight row W[o, :], read 16 floats at a time whatever its stored type.</summary>
internal interface IWeightRow
{
    Vector512<float> Load16(int i);
    float Load1(int i);
}

internal readonly struct F32Row(float[] data, int offset) : IWeightRow
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Load16(int i) =>
        Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(data), (nuint)(offset + i));

    public float Load1(int i) => data[offset + i];
}

/// <summary>bfloat16 bits widened in registers: zero-extend to 32 bits, shift into the high half.</summary>
internal readonly struct BF16Row(ushort[] data, int offset) : IWeightRow
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Load16(int i)
    {
        var bits = Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(data), (nuint)(offset + i));
        return Vector512.ShiftLeft(Vector512.WidenLower(bits.ToVector512()), 16).AsSingle();
    }

    public float Load1(int i) => DTypes.BF16ToSingle(data[offset + i]);
}

/// <summary>
/// Products of one weight row with one or four activation rows. Each row's sum runs in exactly the
/// order of <see cref="FixedOrderSimd"/>: four accumulators over blocks of 64, one over blocks of
/// 16, (s0 + s1) + (s2 + s3), then a scalar tail. The four-row form reads each weight vector once
/// for four rows (verification passes) and gives every row the bits the one-row form gives it.
/// </summary>
internal static class WeightRowDot
{
    public static float Dot<W>(W w, ReadOnlySpan<float> x) where W : struct, IWeightRow
    {
        int n = x.Length, i = 0;
        ref float px = ref MemoryMarshal.GetReference(x);
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        for (; i <= n - 64; i += 64)
        {
            s0 = Vector512.FusedMultiplyAdd(w.Load16(i), Load(ref px, i), s0);
            s1 = Vector512.FusedMultiplyAdd(w.Load16(i + 16), Load(ref px, i + 16), s1);
            s2 = Vector512.FusedMultiplyAdd(w.Load16(i + 32), Load(ref px, i + 32), s2);
            s3 = Vector512.FusedMultiplyAdd(w.Load16(i + 48), Load(ref px, i + 48), s3);
        }
        for (; i <= n - 16; i += 16) s0 = Vector512.FusedMultiplyAdd(w.Load16(i), Load(ref px, i), s0);
        float sum = Vector512.Sum((s0 + s1) + (s2 + s3));
        for (; i < n; i++) sum = MathF.FusedMultiplyAdd(w.Load1(i), Unsafe.Add(ref px, i), sum);
        return sum;
    }

    /// <summary>y0..y3 = w · x0..x3 (rows of equal length).</summary>
    public static void Dot4<W>(W w, ReadOnlySpan<float> x0, ReadOnlySpan<float> x1, ReadOnlySpan<float> x2,
        ReadOnlySpan<float> x3, Span<float> y) where W : struct, IWeightRow
    {
        var a = new Sums(x0);
        var b = new Sums(x1);
        var c = new Sums(x2);
        var d = new Sums(x3);
        int n = x0.Length, i = 0;
        for (; i <= n - 64; i += 64)
        {
            var w0 = w.Load16(i);
            var w1 = w.Load16(i + 16);
            var w2 = w.Load16(i + 32);
            var w3 = w.Load16(i + 48);
            a.Block64(w0, w1, w2, w3, i);
            b.Block64(w0, w1, w2, w3, i);
            c.Block64(w0, w1, w2, w3, i);
            d.Block64(w0, w1, w2, w3, i);
        }
        for (; i <= n - 16; i += 16)
        {
            var w0 = w.Load16(i);
            a.Block16(w0, i);
            b.Block16(w0, i);
            c.Block16(w0, i);
            d.Block16(w0, i);
        }
        y[0] = a.Total(w, i, n);
        y[1] = b.Total(w, i, n);
        y[2] = c.Total(w, i, n);
        y[3] = d.Total(w, i, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Load(ref float p, int i) => Vector512.LoadUnsafe(ref p, (nuint)i);

    /// <summary>The four accumulators of one activation row.</summary>
    private ref struct Sums(ReadOnlySpan<float> x)
    {
        private readonly ref float px = ref MemoryMarshal.GetReference(x);
        private Vector512<float> s0, s1, s2, s3;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Block64(Vector512<float> w0, Vector512<float> w1, Vector512<float> w2, Vector512<float> w3, int i)
        {
            s0 = Vector512.FusedMultiplyAdd(w0, Load(ref px, i), s0);
            s1 = Vector512.FusedMultiplyAdd(w1, Load(ref px, i + 16), s1);
            s2 = Vector512.FusedMultiplyAdd(w2, Load(ref px, i + 32), s2);
            s3 = Vector512.FusedMultiplyAdd(w3, Load(ref px, i + 48), s3);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Block16(Vector512<float> w0, int i) => s0 = Vector512.FusedMultiplyAdd(w0, Load(ref px, i), s0);

        public readonly float Total<W>(W w, int i, int n) where W : struct, IWeightRow
        {
            float sum = Vector512.Sum((s0 + s1) + (s2 + s3));
            for (; i < n; i++) sum = MathF.FusedMultiplyAdd(w.Load1(i), Unsafe.Add(ref px, i), sum);
            return sum;
        }
    }
}
