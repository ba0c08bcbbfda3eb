using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Amphista.Tensors.Kernels;

/// <summary>A weight matrix W [O, D] read 16 floats at a time from element index i, whatever its stored type.</summary>
internal unsafe interface IWeightPointer
{
    Vector512<float> Load16(nint i);
    float Load1(nint i);

    /// <summary>Asks for the cache line holding element i ahead of its use (where the CPU has such a hint).</summary>
    void Prefetch(nint i);
}

internal readonly unsafe struct F32Pointer(float* p) : IWeightPointer
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Load16(nint i) => Vector512.Load(p + i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Load1(nint i) => p[i];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(nint i)
    {
        if (Sse.IsSupported) Sse.Prefetch0(p + i);
    }
}

/// <summary>bfloat16 bits widened in registers: zero-extend to 32 bits, shift into the high half (exact).</summary>
internal readonly unsafe struct BF16Pointer(ushort* p) : IWeightPointer
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Load16(nint i) =>
        Vector512.ShiftLeft(Vector512.WidenLower(Vector256.Load(p + i).ToVector512Unsafe()), 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Load1(nint i) => BitConverter.Int32BitsToSingle(p[i] << 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(nint i)
    {
        if (Sse.IsSupported) Sse.Prefetch0(p + i);
    }
}

/// <summary>
/// y [T, O] = x [T, D] · W [O, D]ᵀ over a range of output features. Every element y[t, o] is
/// reduced in one order, the specification of the fast product (as <see cref="FixedOrderSimd.Dot"/>):
/// four Vector512 accumulators over blocks of 64, then one over the remaining blocks of 16,
/// (s0 + s1) + (s2 + s3), <see cref="Vector512.Sum{T}"/>, then a scalar fused multiply-add tail.
/// Weight rows are read one after another (a sequential stream the hardware prefetcher follows);
/// each row meets four activation rows per load, which is what lets a verification pass over
/// several tokens cost about as much as one token. A tile only decides which elements share a
/// weight load, never how an element is summed, so row t of a T-row product has the bits of a
/// one-row product whatever T, the tile or the thread (batch invariance).
/// </summary>
internal static unsafe class TiledProduct
{
    // A multi-row tile spends long enough on each weight row that the hardware prefetcher falls
    // behind; asking for the weights this many elements ahead keeps loads in flight (measured on
    // tinyllama-1.1b: a 4-token pass 2.5x → 1.7x a 1-token pass). One-row tiles stream faster
    // without the hint, so they do not give it.
    private const int PrefetchAhead = 2048;

    /// <summary>Output features [first, end) for all T rows.</summary>
    public static void Run<W>(W w, float* x, float* y, int rows, int cols, int outputs, int first, int end)
        where W : struct, IWeightPointer
    {
        for (int o = first; o < end; o++)
        {
            nint row = (nint)o * cols;
            int t = 0;
            for (; t + 4 <= rows; t += 4) Tile<W, Four>(w, row, x + (nint)t * cols, cols, y + (nint)t * outputs + o, outputs);
            float* xt = x + (nint)t * cols, yt = y + (nint)t * outputs + o;
            switch (rows - t)
            {
                case 1: Tile<W, One>(w, row, xt, cols, yt, outputs); break;
                case 2: Tile<W, Two>(w, row, xt, cols, yt, outputs); break;
                case 3: Tile<W, Three>(w, row, xt, cols, yt, outputs); break;
            }
        }
    }

    /// <summary>
    /// One weight row against R (1 to 4) activation rows, R a compile-time constant: the JIT drops
    /// the unused rows' code, so one source serves every tile and each keeps the one order.
    /// </summary>
    private static void Tile<W, R>(W w, nint row, float* x, int n, float* y, int outputs)
        where W : struct, IWeightPointer where R : struct, IRowCount
    {
        float* x0 = x, x1 = x + n, x2 = x + 2 * n, x3 = x + 3 * n;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;   // row x0's four sums
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;   // x1's
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;   // x2's
        Vector512<float> d0 = default, d1 = default, d2 = default, d3 = default;   // x3's
        int i = 0;
        for (; i <= n - 64; i += 64)
        {
            if (R.Count > 1)
            {
                w.Prefetch(row + i + PrefetchAhead);
                w.Prefetch(row + i + PrefetchAhead + 32);
            }
            var w0 = w.Load16(row + i);
            var w1 = w.Load16(row + i + 16);
            var w2 = w.Load16(row + i + 32);
            var w3 = w.Load16(row + i + 48);
            a0 = Vector512.FusedMultiplyAdd(w0, Vector512.Load(x0 + i), a0);
            a1 = Vector512.FusedMultiplyAdd(w1, Vector512.Load(x0 + i + 16), a1);
            a2 = Vector512.FusedMultiplyAdd(w2, Vector512.Load(x0 + i + 32), a2);
            a3 = Vector512.FusedMultiplyAdd(w3, Vector512.Load(x0 + i + 48), a3);
            if (R.Count < 2) continue;
            b0 = Vector512.FusedMultiplyAdd(w0, Vector512.Load(x1 + i), b0);
            b1 = Vector512.FusedMultiplyAdd(w1, Vector512.Load(x1 + i + 16), b1);
            b2 = Vector512.FusedMultiplyAdd(w2, Vector512.Load(x1 + i + 32), b2);
            b3 = Vector512.FusedMultiplyAdd(w3, Vector512.Load(x1 + i + 48), b3);
            if (R.Count < 3) continue;
            c0 = Vector512.FusedMultiplyAdd(w0, Vector512.Load(x2 + i), c0);
            c1 = Vector512.FusedMultiplyAdd(w1, Vector512.Load(x2 + i + 16), c1);
            c2 = Vector512.FusedMultiplyAdd(w2, Vector512.Load(x2 + i + 32), c2);
            c3 = Vector512.FusedMultiplyAdd(w3, Vector512.Load(x2 + i + 48), c3);
            if (R.Count < 4) continue;
            d0 = Vector512.FusedMultiplyAdd(w0, Vector512.Load(x3 + i), d0);
            d1 = Vector512.FusedMultiplyAdd(w1, Vector512.Load(x3 + i + 16), d1);
            d2 = Vector512.FusedMultiplyAdd(w2, Vector512.Load(x3 + i + 32), d2);
            d3 = Vector512.FusedMultiplyAdd(w3, Vector512.Load(x3 + i + 48), d3);
        }
        for (; i <= n - 16; i += 16)
        {
            var w0 = w.Load16(row + i);
            a0 = Vector512.FusedMultiplyAdd(w0, Vector512.Load(x0 + i), a0);
            if (R.Count > 1) b0 = Vector512.FusedMultiplyAdd(w0, Vector512.Load(x1 + i), b0);
            if (R.Count > 2) c0 = Vector512.FusedMultiplyAdd(w0, Vector512.Load(x2 + i), c0);
            if (R.Count > 3) d0 = Vector512.FusedMultiplyAdd(w0, Vector512.Load(x3 + i), d0);
        }
        y[0] = Finish(w, row, x0, (a0 + a1) + (a2 + a3), n, i);
        if (R.Count > 1) y[outputs] = Finish(w, row, x1, (b0 + b1) + (b2 + b3), n, i);
        if (R.Count > 2) y[2 * outputs] = Finish(w, row, x2, (c0 + c1) + (c2 + c3), n, i);
        if (R.Count > 3) y[3 * outputs] = Finish(w, row, x3, (d0 + d1) + (d2 + d3), n, i);
    }

    /// <summary>The lanes' sum, then the elements past the last full block of 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Finish<W>(W w, nint row, float* x, Vector512<float> acc, int n, int i) where W : struct, IWeightPointer
    {
        float sum = Vector512.Sum(acc);
        for (; i < n; i++) sum = MathF.FusedMultiplyAdd(w.Load1(row + i), x[i], sum);
        return sum;
    }
}

/// <summary>How many activation rows a tile of <see cref="TiledProduct"/> takes, as a type the JIT specialises on.</summary>
internal interface IRowCount
{
    static abstract int Count { get; }
}

internal struct One : IRowCount
{
    public static int Count => 1;
}

internal struct Two : IRowCount
{
    public static int Count => 2;
}

internal struct Three : IRowCount
{
    public static int Count => 3;
}

internal struct Four : IRowCount
{
    public static int Count => 4;
}
