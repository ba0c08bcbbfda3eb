// y [T, O] = x [T, D] · W [O, D]ᵀ on the device, over a stack of weight matrices (ProductOperands): a one-token
// kernel (decode) and a tile kernel for T > 1 (prefill, tree verification) that reads each weight once for up to
// 4 · (warps per block) tokens. Either may normalize its input (RMSNorm) and finish with a residual add or SwiGLU.
using ILGPU;

namespace Amphista.Tensors.Gpu;

/// <summary>
/// Both kernels compute every sum y[t, o] by the same sequence of float operations (<see cref="DeviceMath"/>):
/// lane l accumulates chunks l, l + 32, ... of W[o, :] · x[t, :] with fused multiply-adds from 0, then the
/// butterfly combines the lanes. They differ only in which sums share a weight load, so row t of a T-row product
/// is bit-identical to the one-token product of that row. With RMSNorm, x[t, :] is replaced chunk by chunk by
/// gain ⊙ (x[t, :] · r_t) as the RMSNorm kernel rounds it, r_t computed first by each warp in RMSNorm's order:
/// the fused product gives the bits of the RMSNorm kernel followed by the product. Tiles past O and tokens past T
/// repeat a valid row and discard it, so every lane always reaches every shuffle and barrier.
/// </summary>
internal static class MatMulKernels
{
    /// <summary>Weight rows per warp in the tile kernel (SwiGLU: 4 gate rows and their 4 up rows).</summary>
    public const int TileRows = 8;

    /// <summary>Tokens per warp in the tile kernel.</summary>
    public const int TileTokens = 4;

    /// <summary>The most warps of a tile block that split its rows (the others split its tokens).</summary>
    public const int MaxRowWarps = 4;

    /// <summary>Weight rows per warp in the one-token kernel.</summary>
    public const int VectorRows = 2;

    /// <summary>
    /// One token: y [1, O] = x [1, D] · Wᵀ, each warp two weight rows. The loop issues a pair of chunks' loads for
    /// both rows before their multiply-adds (a warp otherwise waits out one memory latency per chunk); the
    /// multiply-adds still run chunk by chunk in increasing order.
    /// </summary>
    public static void MatVec<M, W>(WeightStack<W> w, ArrayView<float> x, ArrayView<float> gain, OutputStack y, ProductShape s)
        where M : struct, IFloatOps where W : struct, IDeviceWeightRows
    {
        int tile = DeviceMath.GridWarp, d = s.In, chunks = DeviceMath.Chunks(d);
        bool wide = d % DeviceMath.Chunk == 0;
        int rowA = s.WeightRow(tile, 0, VectorRows), rowB = s.WeightRow(tile, 1, VectorRows);
        float scale = Scale<M>(x, 0, s, wide);
        const int step = DeviceMath.Lanes;
        float a = 0f, b = 0f;
        int c = Warp.LaneIdx;
        for (; c + step < chunks; c += 2 * step)
        {
            var a0 = w.Load(rowA, c, d, wide);
            var a1 = w.Load(rowA, c + step, d, wide);
            var b0 = w.Load(rowB, c, d, wide);
            var b1 = w.Load(rowB, c + step, d, wide);
            var x0 = Input<M>(x, gain, 0, c, s, wide, scale);
            var x1 = Input<M>(x, gain, 0, c + step, s, wide, scale);
            int n1 = DeviceMath.ChunkLength(c + step, d);
            a = DeviceMath.Dot<M>(DeviceMath.Dot<M>(a, a0, x0, DeviceMath.Chunk), a1, x1, n1);
            b = DeviceMath.Dot<M>(DeviceMath.Dot<M>(b, b0, x0, DeviceMath.Chunk), b1, x1, n1);
        }
        if (c < chunks)
        {
            var xc = Input<M>(x, gain, 0, c, s, wide, scale);
            int n = DeviceMath.ChunkLength(c, d);
            a = DeviceMath.Dot<M>(a, w.Load(rowA, c, d, wide), xc, n);
            b = DeviceMath.Dot<M>(b, w.Load(rowB, c, d, wide), xc, n);
        }
        a = DeviceMath.WarpSum<M>(a);
        b = DeviceMath.WarpSum<M>(b);
        if (!Warp.IsFirstLane) return;
        if (s.Paired) s.Finish<M>(y, 0, s.OutputRow(tile, 0, VectorRows), a, b);
        else
        {
            s.Finish<M>(y, 0, s.OutputRow(tile, 0, VectorRows), a, 0f);
            s.Finish<M>(y, 0, s.OutputRow(tile, 1, VectorRows), b, 0f);
        }
    }

    /// <summary>
    /// T tokens. A block holds rowWarps × TokenWarps warps: row warp i owns a tile of <see cref="TileRows"/>
    /// weight rows, token warp j the tokens 4j..4j+3 of the block's pass, so each warp keeps 8 × 4 sums per lane.
    /// The block walks D in stripes of 32 chunks: its threads stage the stripe of the block's weight rows in shared
    /// memory (widened to float32 once), and every warp applies it to its own tokens. One pass covers
    /// 4 · TokenWarps tokens; blocks past <see cref="ProductShape.RowBlocks"/> run the later passes.
    /// </summary>
    public static void MatMulTiles<M, W>(WeightStack<W> w, ArrayView<float> x, ArrayView<float> gain, OutputStack y, ProductShape s)
        where M : struct, IFloatOps where W : struct, IDeviceWeightRows
    {
        const int lanes = DeviceMath.Lanes, tileQuads = TileRows * lanes;
        var stripe = SharedMemory.Allocate<Quad>(MaxRowWarps * tileQuads);   // [block's weight rows, 32 chunks]
        int rowWarps = Group.DimX / lanes / s.TokenWarps;
        int rowWarp = Warp.WarpIdx / s.TokenWarps, tokenWarp = Warp.WarpIdx % s.TokenWarps, lane = Warp.LaneIdx;
        int rowBlock = Grid.IdxX % s.RowBlocks, pass = Grid.IdxX / s.RowBlocks;
        int tile = rowBlock * rowWarps + rowWarp, t0 = (pass * s.TokenWarps + tokenWarp) * TileTokens;
        int d = s.In, chunks = DeviceMath.Chunks(d), last = s.Rows - 1;
        bool wide = d % DeviceMath.Chunk == 0;
        int x0 = Math.Min(t0, last) * d, x1 = Math.Min(t0 + 1, last) * d, x2 = Math.Min(t0 + 2, last) * d, x3 = Math.Min(t0 + 3, last) * d;
        float r0 = Scale<M>(x, x0, s, wide), r1 = Scale<M>(x, x1, s, wide), r2 = Scale<M>(x, x2, s, wide), r3 = Scale<M>(x, x3, s, wide);
        Quad a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int first = 0; first < chunks; first += lanes)
        {
            // This lane's inputs are loaded before the barrier, so their latency overlaps the staging.
            int c = first + lane;
            bool live = c < chunks;
            Quad q0 = default, q1 = default, q2 = default, q3 = default;
            if (live)
            {
                q0 = Input<M>(x, gain, x0, c, s, wide, r0);
                q1 = Input<M>(x, gain, x1, c, s, wide, r1);
                q2 = Input<M>(x, gain, x2, c, s, wide, r2);
                q3 = Input<M>(x, gain, x3, c, s, wide, r3);
            }
            Stage(w, stripe.SubView(0, rowWarps * tileQuads), s, rowBlock * rowWarps, first, wide);
            Group.Barrier();
            if (live)
            {
                int n = DeviceMath.ChunkLength(c, d), at = rowWarp * tileQuads + lane;
                a0 = DotTokens<M>(a0, stripe[at], q0, q1, q2, q3, n);
                a1 = DotTokens<M>(a1, stripe[at + lanes], q0, q1, q2, q3, n);
                a2 = DotTokens<M>(a2, stripe[at + 2 * lanes], q0, q1, q2, q3, n);
                a3 = DotTokens<M>(a3, stripe[at + 3 * lanes], q0, q1, q2, q3, n);
                a4 = DotTokens<M>(a4, stripe[at + 4 * lanes], q0, q1, q2, q3, n);
                a5 = DotTokens<M>(a5, stripe[at + 5 * lanes], q0, q1, q2, q3, n);
                a6 = DotTokens<M>(a6, stripe[at + 6 * lanes], q0, q1, q2, q3, n);
                a7 = DotTokens<M>(a7, stripe[at + 7 * lanes], q0, q1, q2, q3, n);
            }
            // The next stripe overwrites this one only after every warp has read it.
            Group.Barrier();
        }
        // Lane l ends with the sum of tile row l / 4 for token t0 + l % 4; with SwiGLU, lanes 0..15 hold the gate
        // rows and take the up row's sum of the same feature from lane l + 16.
        float sum = DeviceMath.WarpSums<M>(a0, a1, a2, a3, a4, a5, a6, a7);
        float up = Warp.ShuffleXor(sum, 16);
        int j = lane / TileTokens, t = t0 + lane % TileTokens;
        if (!s.Paired || j < TileRows / 2) s.Finish<M>(y, t, s.OutputRow(tile, j, TileRows), sum, up);
    }

    /// <summary>
    /// The block's threads load chunks first..first+31 of the weight rows of tiles firstTile.. into stripe
    /// [tiles · 8, 32], widened to float32; chunks past D are left as they were (no lane reads them).
    /// </summary>
    private static void Stage<W>(WeightStack<W> w, ArrayView<Quad> stripe, ProductShape s, int firstTile, int first, bool wide)
        where W : struct, IDeviceWeightRows
    {
        int chunks = DeviceMath.Chunks(s.In);
        for (int e = Group.IdxX; e < stripe.IntLength; e += Group.DimX)
        {
            int c = first + e % DeviceMath.Lanes, row = e / DeviceMath.Lanes;
            if (c < chunks) stripe[e] = w.Load(s.WeightRow(firstTile + row / TileRows, row % TileRows, TileRows), c, s.In, wide);
        }
    }

    /// <summary>RMSNorm's r for the row at start, or 1 when the product does not normalize.</summary>
    private static float Scale<M>(ArrayView<float> x, int start, ProductShape s, bool wide) where M : struct, IFloatOps =>
        s.Norm != 0 ? DeviceMath.RmsScale<M>(DeviceMath.SumSquares<M>(x, start, s.In, wide), s.In, s.Eps) : 1f;

    /// <summary>Chunk c of the input row at start: x itself, or gain ⊙ (x · scale).</summary>
    private static Quad Input<M>(ArrayView<float> x, ArrayView<float> gain, int start, int c, ProductShape s, bool wide, float scale)
        where M : struct, IFloatOps
    {
        var v = DeviceMath.LoadChunk(x, start, c, s.In, wide);
        return s.Norm != 0 ? DeviceMath.Normalize<M>(v, DeviceMath.LoadChunk(gain, 0, c, s.In, wide), scale) : v;
    }

    /// <summary>One weight chunk applied to four tokens' chunks: acc's A..D are tokens t0..t0+3.</summary>
    private static Quad DotTokens<M>(Quad acc, Quad w, Quad x0, Quad x1, Quad x2, Quad x3, int n) where M : struct, IFloatOps =>
        new(DeviceMath.Dot<M>(acc.A, w, x0, n), DeviceMath.Dot<M>(acc.B, w, x1, n),
            DeviceMath.Dot<M>(acc.C, w, x2, n), DeviceMath.Dot<M>(acc.D, w, x3, n));
}
