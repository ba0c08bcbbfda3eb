using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Amphista.Tensors.Kernels;

/// <summary>A weight matrix W [O, D] read a vector at a time from element index i, whatever its stored type.</summary>
internal unsafe interface IWeightPointer
{
    TVec Load<V, TVec>(nint i) where V : struct, IVectorOps<TVec> where TVec : struct;

    float Load1(nint i);

    /// <summary>Elements per 64-byte cache line, less one: a block starting at i begins a line when (i &amp; LineMask) == 0.</summary>
    int LineMask { get; }

    /// <summary>Asks for the cache line holding element i ahead of its use (where the CPU has such a hint).</summary>
    void Prefetch(nint i);
}

internal readonly unsafe struct F32Pointer(float* p) : IWeightPointer
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Load<V, TVec>(nint i) where V : struct, IVectorOps<TVec> where TVec : struct => V.Load(ref *p, i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Load1(nint i) => p[i];

    public int LineMask => 15;

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
    public TVec Load<V, TVec>(nint i) where V : struct, IVectorOps<TVec> where TVec : struct => V.LoadBF16(ref *p, i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Load1(nint i) => BitConverter.Int32BitsToSingle(p[i] << 16);

    public int LineMask => 31;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(nint i)
    {
        if (Sse.IsSupported) Sse.Prefetch0(p + i);
    }
}

/// <summary>
/// y [T, O] = x [T, D] · W [O, D]ᵀ over a range of output features, at vector width V. Every element
/// y[t, o] is the <see cref="ReductionOrder"/> dot product of weight row o and activation row t.
/// Register tiles hold R weight rows × up to four activation rows, one accumulator each per pass
/// (<see cref="FixedOrderSimd{V, TVec}"/>): each weight vector loaded meets every token of the tile, which
/// is what lets a verification pass over several tokens cost little more than one, and the R × T
/// independent chains keep the fused multiply-add units busy. A tile only decides which elements
/// share a load, never how an element is summed, so row t of a T-row product has the bits of a
/// one-row product whatever T, the tile, the width or the thread (batch invariance).
/// </summary>
internal static unsafe class TiledProduct<V, TVec> where V : struct, IVectorOps<TVec> where TVec : struct
{
    // A tile reads several weight rows at once, more streams than the hardware prefetcher follows
    // well; asking for each row's weights this many elements ahead keeps loads in flight.
    private const int PrefetchAhead = 2048;

    /// <summary>Output features [first, end) for all T rows.</summary>
    public static void Run<W>(W w, float* x, float* y, int rows, int cols, int outputs, int first, int end)
        where W : struct, IWeightPointer
    {
        int o = first;
        if (rows == 1 && V.Lanes >= 4)
        {
            // One token: R rows × 16 / Lanes passes of accumulators, all in flight (at most 8 with 16 registers).
            if (V.Lanes >= 8 || VectorWidth.ThirtyTwoRegisters)
                for (; o + 4 <= end; o += 4) OneToken<W, Four>(w, (nint)o * cols, x, cols, y + o);
            else
                for (; o + 2 <= end; o += 2) OneToken<W, Two>(w, (nint)o * cols, x, cols, y + o);
        }
        // 32 vector registers hold 4 × 4 accumulators; 16 hold 2 × 4 (or 4 × 2).
        bool fourRows = VectorWidth.ThirtyTwoRegisters || rows <= 2;
        if (fourRows)
            for (; o + 4 <= end; o += 4) Rows<W, Four>(w, x, y, rows, cols, outputs, o);
        else
            for (; o + 2 <= end; o += 2) Rows<W, Two>(w, x, y, rows, cols, outputs, o);
        for (; o < end; o++) Rows<W, One>(w, x, y, rows, cols, outputs, o);
    }

    /// <summary>
    /// One activation row against R weight rows (One, Two or Four) with every pass's accumulators in flight
    /// at once: a single token gives no other independent chains, and one pass at a time would leave R
    /// chains waiting on the fused multiply-add's latency. Each partial sum is still one chain in
    /// increasing i, so the bits are those of <see cref="Tile{W, R, T}"/>.
    /// </summary>
    [SkipLocalsInit]
    private static void OneToken<W, R>(W w, nint row, float* x, int n, float* y)
        where W : struct, IWeightPointer where R : struct, IRowCount
    {
        float* part = stackalloc float[4 * 16];   // [R, 16] each output's partial sums
        nint l1 = V.Lanes, l2 = 2 * l1, l3 = 3 * l1, w1 = row + n, w2 = row + 2 * n, w3 = row + 3 * n;
        int passes = 16 / V.Lanes, blocks = n & ~15;
        TVec a0 = V.Zero, a1 = V.Zero, a2 = V.Zero, a3 = V.Zero, b0 = V.Zero, b1 = V.Zero, b2 = V.Zero, b3 = V.Zero;
        TVec c0 = V.Zero, c1 = V.Zero, c2 = V.Zero, c3 = V.Zero, d0 = V.Zero, d1 = V.Zero, d2 = V.Zero, d3 = V.Zero;
        for (int i = 0; i < blocks; i += 16)
        {
            if ((i & w.LineMask) == 0)
            {
                w.Prefetch(row + i + PrefetchAhead);
                if (R.Count > 1) w.Prefetch(w1 + i + PrefetchAhead);
                if (R.Count > 2) { w.Prefetch(w2 + i + PrefetchAhead); w.Prefetch(w3 + i + PrefetchAhead); }
            }
            TVec u0 = V.Load(ref *x, i), u1 = passes > 1 ? V.Load(ref *x, i + l1) : default;
            TVec u2 = passes > 2 ? V.Load(ref *x, i + l2) : default, u3 = passes > 2 ? V.Load(ref *x, i + l3) : default;
            a0 = V.FusedMultiplyAdd(w.Load<V, TVec>(row + i), u0, a0);
            if (passes > 1) a1 = V.FusedMultiplyAdd(w.Load<V, TVec>(row + i + l1), u1, a1);
            if (passes > 2) { a2 = V.FusedMultiplyAdd(w.Load<V, TVec>(row + i + l2), u2, a2); a3 = V.FusedMultiplyAdd(w.Load<V, TVec>(row + i + l3), u3, a3); }
            if (R.Count < 2) continue;
            b0 = V.FusedMultiplyAdd(w.Load<V, TVec>(w1 + i), u0, b0);
            if (passes > 1) b1 = V.FusedMultiplyAdd(w.Load<V, TVec>(w1 + i + l1), u1, b1);
            if (passes > 2) { b2 = V.FusedMultiplyAdd(w.Load<V, TVec>(w1 + i + l2), u2, b2); b3 = V.FusedMultiplyAdd(w.Load<V, TVec>(w1 + i + l3), u3, b3); }
            if (R.Count < 3) continue;
            c0 = V.FusedMultiplyAdd(w.Load<V, TVec>(w2 + i), u0, c0);
            if (passes > 1) c1 = V.FusedMultiplyAdd(w.Load<V, TVec>(w2 + i + l1), u1, c1);
            if (passes > 2) { c2 = V.FusedMultiplyAdd(w.Load<V, TVec>(w2 + i + l2), u2, c2); c3 = V.FusedMultiplyAdd(w.Load<V, TVec>(w2 + i + l3), u3, c3); }
            d0 = V.FusedMultiplyAdd(w.Load<V, TVec>(w3 + i), u0, d0);
            if (passes > 1) d1 = V.FusedMultiplyAdd(w.Load<V, TVec>(w3 + i + l1), u1, d1);
            if (passes > 2) { d2 = V.FusedMultiplyAdd(w.Load<V, TVec>(w3 + i + l2), u2, d2); d3 = V.FusedMultiplyAdd(w.Load<V, TVec>(w3 + i + l3), u3, d3); }
        }
        y[0] = OneTokenOutput(w, row, x, n, blocks, part, a0, a1, a2, a3);
        if (R.Count > 1) y[1] = OneTokenOutput(w, w1, x, n, blocks, part + 16, b0, b1, b2, b3);
        if (R.Count > 2)
        {
            y[2] = OneTokenOutput(w, w2, x, n, blocks, part + 32, c0, c1, c2, c3);
            y[3] = OneTokenOutput(w, w3, x, n, blocks, part + 48, d0, d1, d2, d3);
        }
    }

    /// <summary>One output of <see cref="OneToken{W, R}"/>: its passes' registers, then the tail, through the tree.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float OneTokenOutput<W>(W w, nint row, float* x, int n, int blocks, float* p, TVec q0, TVec q1, TVec q2, TVec q3)
        where W : struct, IWeightPointer
    {
        int passes = 16 / V.Lanes;
        if (passes > 1) V.Store(q0, ref *p, 0);
        if (passes > 2) { V.Store(q1, ref *p, V.Lanes); V.Store(q2, ref *p, 2 * V.Lanes); }
        var last = passes switch { 1 => q0, 2 => q1, _ => q3 };
        if (blocks == n) return ReductionOrder.Finish(V.Fold(ref *p, last));
        V.Store(last, ref *p, 16 - V.Lanes);
        for (int i = blocks; i < n; i++) p[i & 15] = MathF.FusedMultiplyAdd(w.Load1(row + i), x[i], p[i & 15]);
        return ReductionOrder.Combine(ref *p);
    }

    /// <summary>Weight rows o..o + R − 1 against every activation row, four at a time.</summary>
    private static void Rows<W, R>(W w, float* x, float* y, int rows, int cols, int outputs, int o)
        where W : struct, IWeightPointer where R : struct, IRowCount
    {
        nint row = (nint)o * cols;
        int t = 0;
        for (; t + 4 <= rows; t += 4) Tile<W, R, Four>(w, row, x + (nint)t * cols, cols, y + (nint)t * outputs + o, outputs);
        float* xt = x + (nint)t * cols, yt = y + (nint)t * outputs + o;
        switch (rows - t)
        {
            case 1: Tile<W, R, One>(w, row, xt, cols, yt, outputs); break;
            case 2: Tile<W, R, Two>(w, row, xt, cols, yt, outputs); break;
            case 3: Tile<W, R, Three>(w, row, xt, cols, yt, outputs); break;
        }
    }

    /// <summary>
    /// R weight rows (from element row, n apart; R is One, Two or Four) against T activation rows (from x,
    /// n apart), R and T compile-time constants: the JIT drops the unused accumulators, so one source serves every tile.
    /// Accumulator arc holds weight row r against token c.
    /// </summary>
    [SkipLocalsInit]
    private static void Tile<W, R, T>(W w, nint row, float* x, int n, float* y, int outputs)
        where W : struct, IWeightPointer where R : struct, IRowCount where T : struct, IRowCount
    {
        float* part = stackalloc float[16 * 16];   // [R·T, 16] each element's partial sums
        float* x0 = x, x1 = x + n, x2 = x + 2 * n, x3 = x + 3 * n;
        nint w1 = row + n, w2 = row + 2 * n, w3 = row + 3 * n;
        int blocks = n & ~15, last = 16 - V.Lanes;
        TVec a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33;
        for (int g = 0; ; g += V.Lanes)
        {
            a00 = a01 = a02 = a03 = a10 = a11 = a12 = a13 = V.Zero;
            a20 = a21 = a22 = a23 = a30 = a31 = a32 = a33 = V.Zero;
            for (int i = g; i < blocks; i += 16)
            {
                if (g == 0 && (i & w.LineMask) == 0)
                {
                    w.Prefetch(row + i + PrefetchAhead);
                    if (R.Count > 1) w.Prefetch(w1 + i + PrefetchAhead);
                    if (R.Count > 2) { w.Prefetch(w2 + i + PrefetchAhead); w.Prefetch(w3 + i + PrefetchAhead); }
                }
                var v0 = w.Load<V, TVec>(row + i);
                var v1 = R.Count > 1 ? w.Load<V, TVec>(w1 + i) : default;
                var v2 = R.Count > 2 ? w.Load<V, TVec>(w2 + i) : default;
                var v3 = R.Count > 2 ? w.Load<V, TVec>(w3 + i) : default;
                var u = V.Load(ref *x0, i);
                a00 = V.FusedMultiplyAdd(v0, u, a00);
                if (R.Count > 1) a10 = V.FusedMultiplyAdd(v1, u, a10);
                if (R.Count > 2) { a20 = V.FusedMultiplyAdd(v2, u, a20); a30 = V.FusedMultiplyAdd(v3, u, a30); }
                if (T.Count < 2) continue;
                u = V.Load(ref *x1, i);
                a01 = V.FusedMultiplyAdd(v0, u, a01);
                if (R.Count > 1) a11 = V.FusedMultiplyAdd(v1, u, a11);
                if (R.Count > 2) { a21 = V.FusedMultiplyAdd(v2, u, a21); a31 = V.FusedMultiplyAdd(v3, u, a31); }
                if (T.Count < 3) continue;
                u = V.Load(ref *x2, i);
                a02 = V.FusedMultiplyAdd(v0, u, a02);
                if (R.Count > 1) a12 = V.FusedMultiplyAdd(v1, u, a12);
                if (R.Count > 2) { a22 = V.FusedMultiplyAdd(v2, u, a22); a32 = V.FusedMultiplyAdd(v3, u, a32); }
                if (T.Count < 4) continue;
                u = V.Load(ref *x3, i);
                a03 = V.FusedMultiplyAdd(v0, u, a03);
                if (R.Count > 1) a13 = V.FusedMultiplyAdd(v1, u, a13);
                if (R.Count > 2) { a23 = V.FusedMultiplyAdd(v2, u, a23); a33 = V.FusedMultiplyAdd(v3, u, a33); }
            }
            // The final pass's sums stay in registers when no tail follows them.
            if (g == last && blocks == n) break;
            Keep<T>(part, 0, g, a00, a01, a02, a03);
            if (R.Count > 1) Keep<T>(part, 1, g, a10, a11, a12, a13);
            if (R.Count > 2)
            {
                Keep<T>(part, 2, g, a20, a21, a22, a23);
                Keep<T>(part, 3, g, a30, a31, a32, a33);
            }
            if (g == last) break;
        }
        if (blocks == n)
        {
            Finish<T>(part, 0, y, outputs, a00, a01, a02, a03);
            if (R.Count > 1) Finish<T>(part, 1, y + 1, outputs, a10, a11, a12, a13);
            if (R.Count > 2)
            {
                Finish<T>(part, 2, y + 2, outputs, a20, a21, a22, a23);
                Finish<T>(part, 3, y + 3, outputs, a30, a31, a32, a33);
            }
            return;
        }
        for (int r = 0; r < R.Count; r++)
            for (int c = 0; c < T.Count; c++)
            {
                float* p = part + (r * T.Count + c) * 16, xc = x + c * n;
                nint wr = row + r * n;
                for (int i = blocks; i < n; i++) p[i & 15] = MathF.FusedMultiplyAdd(w.Load1(wr + i), xc[i], p[i & 15]);
                y[c * outputs + r] = ReductionOrder.Combine(ref *p);
            }
    }

    /// <summary>Weight row r's outputs (tokens 0..T − 1, y already at column r): earlier passes' partial sums and the final pass's registers through the tree.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish<T>(float* part, int r, float* y, int outputs, TVec c0, TVec c1, TVec c2, TVec c3) where T : struct, IRowCount
    {
        float* p = part + r * T.Count * 16;
        y[0] = ReductionOrder.Finish(V.Fold(ref *p, c0));
        if (T.Count > 1) y[outputs] = ReductionOrder.Finish(V.Fold(ref p[16], c1));
        if (T.Count > 2) y[2 * outputs] = ReductionOrder.Finish(V.Fold(ref p[32], c2));
        if (T.Count > 3) y[3 * outputs] = ReductionOrder.Finish(V.Fold(ref p[48], c3));
    }

    /// <summary>Stores weight row r's accumulators of pass g (tokens 0..T − 1) into their partial sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Keep<T>(float* part, int r, int g, TVec c0, TVec c1, TVec c2, TVec c3) where T : struct, IRowCount
    {
        float* p = part + r * T.Count * 16 + g;
        V.Store(c0, ref *p, 0);
        if (T.Count > 1) V.Store(c1, ref *p, 16);
        if (T.Count > 2) V.Store(c2, ref *p, 32);
        if (T.Count > 3) V.Store(c3, ref *p, 48);
    }
}

/// <summary>How many rows a tile of <see cref="TiledProduct{V, TVec}"/> takes, as a type the JIT specialises on.</summary>
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
