// y [T, O] = x [T, D] · W [O, D]ᵀ on the device: a 1-row kernel (decode) and a T-row kernel (prefill, tree
// verification), one warp per output feature o in both.
using ILGPU;

namespace Amphista.Tensors.Gpu;

/// <summary>Shape of one product: x [Rows, In], W [Out, In], y [Rows, Out].</summary>
internal struct MatMulShape
{
    public int Rows, In, Out;
}

/// <summary>
/// Both kernels compute every y[t, o] by the same sequence of float operations (<see cref="DeviceMath"/>):
/// lane l accumulates chunks l, l + 32, ... of W[o, :] · x[t, :] with fused multiply-adds from 0, then the
/// butterfly combines the lanes. The T-row kernel only shares each weight chunk between four token rows held
/// in separate accumulators, so row t of a T-row product is bit-identical to the 1-row product of that row.
/// Warps past O (the last block's remainder) and token slots past T (the last group of four) repeat a valid
/// row and discard it, so every lane always reaches every shuffle.
/// </summary>
internal static class MatMulKernels
{
    /// <summary>
    /// One token row: y [1, O] = x [1, D] · Wᵀ. The loop issues the loads of four of a lane's chunks before
    /// their multiply-adds (a warp otherwise waits out one memory latency per chunk); the multiply-adds still
    /// run chunk by chunk in increasing order, so the bits are those of the plain loop.
    /// </summary>
    public static void MatVec<M, W>(W w, ArrayView<float> x, ArrayView<float> y, MatMulShape s)
        where M : struct, IFloatOps where W : struct, IDeviceWeightRows
    {
        int row = DeviceMath.GridWarp;
        int o = Math.Min(row, s.Out - 1), d = s.In, chunks = DeviceMath.Chunks(d);
        bool wide = d % DeviceMath.Chunk == 0;
        const int step = DeviceMath.Lanes;
        float acc = 0f;
        int c = Warp.LaneIdx;
        for (; c + 3 * step < chunks; c += 4 * step)
        {
            var w0 = w.Load(o, c, d, wide);
            var w1 = w.Load(o, c + step, d, wide);
            var w2 = w.Load(o, c + 2 * step, d, wide);
            var w3 = w.Load(o, c + 3 * step, d, wide);
            var x0 = DeviceMath.LoadChunk(x, 0, c, d, wide);
            var x1 = DeviceMath.LoadChunk(x, 0, c + step, d, wide);
            var x2 = DeviceMath.LoadChunk(x, 0, c + 2 * step, d, wide);
            var x3 = DeviceMath.LoadChunk(x, 0, c + 3 * step, d, wide);
            acc = DeviceMath.Dot<M>(acc, w0, x0, DeviceMath.Chunk);
            acc = DeviceMath.Dot<M>(acc, w1, x1, DeviceMath.Chunk);
            acc = DeviceMath.Dot<M>(acc, w2, x2, DeviceMath.Chunk);
            acc = DeviceMath.Dot<M>(acc, w3, x3, DeviceMath.ChunkLength(c + 3 * step, d));
        }
        for (; c < chunks; c += step)
            acc = DeviceMath.Dot<M>(acc, w.Load(o, c, d, wide), DeviceMath.LoadChunk(x, 0, c, d, wide), DeviceMath.ChunkLength(c, d));
        acc = DeviceMath.WarpSum<M>(acc);
        if (Warp.IsFirstLane && row < s.Out) y[o] = acc;
    }

    /// <summary>
    /// T token rows: each warp owns one output feature o and walks the tokens four at a time, reading each
    /// weight chunk once per four tokens; two chunks' weights are loaded before their multiply-adds, which
    /// still run in increasing chunk order for each token.
    /// </summary>
    public static void MatMulRows<M, W>(W w, ArrayView<float> x, ArrayView<float> y, MatMulShape s)
        where M : struct, IFloatOps where W : struct, IDeviceWeightRows
    {
        int row = DeviceMath.GridWarp;
        int o = Math.Min(row, s.Out - 1), d = s.In, chunks = DeviceMath.Chunks(d), last = s.Rows - 1;
        bool wide = d % DeviceMath.Chunk == 0;
        const int step = DeviceMath.Lanes;
        for (int t0 = 0; t0 < s.Rows; t0 += 4)
        {
            int r0 = t0 * d, r1 = Math.Min(t0 + 1, last) * d, r2 = Math.Min(t0 + 2, last) * d, r3 = Math.Min(t0 + 3, last) * d;
            float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
            int c = Warp.LaneIdx;
            for (; c + step < chunks; c += 2 * step)
            {
                var wa = w.Load(o, c, d, wide);
                var wb = w.Load(o, c + step, d, wide);
                int nb = DeviceMath.ChunkLength(c + step, d);
                a0 = DeviceMath.Dot<M>(DeviceMath.Dot<M>(a0, wa, DeviceMath.LoadChunk(x, r0, c, d, wide), DeviceMath.Chunk),
                    wb, DeviceMath.LoadChunk(x, r0, c + step, d, wide), nb);
                a1 = DeviceMath.Dot<M>(DeviceMath.Dot<M>(a1, wa, DeviceMath.LoadChunk(x, r1, c, d, wide), DeviceMath.Chunk),
                    wb, DeviceMath.LoadChunk(x, r1, c + step, d, wide), nb);
                a2 = DeviceMath.Dot<M>(DeviceMath.Dot<M>(a2, wa, DeviceMath.LoadChunk(x, r2, c, d, wide), DeviceMath.Chunk),
                    wb, DeviceMath.LoadChunk(x, r2, c + step, d, wide), nb);
                a3 = DeviceMath.Dot<M>(DeviceMath.Dot<M>(a3, wa, DeviceMath.LoadChunk(x, r3, c, d, wide), DeviceMath.Chunk),
                    wb, DeviceMath.LoadChunk(x, r3, c + step, d, wide), nb);
            }
            if (c < chunks)
            {
                var wc = w.Load(o, c, d, wide);
                int n = DeviceMath.ChunkLength(c, d);
                a0 = DeviceMath.Dot<M>(a0, wc, DeviceMath.LoadChunk(x, r0, c, d, wide), n);
                a1 = DeviceMath.Dot<M>(a1, wc, DeviceMath.LoadChunk(x, r1, c, d, wide), n);
                a2 = DeviceMath.Dot<M>(a2, wc, DeviceMath.LoadChunk(x, r2, c, d, wide), n);
                a3 = DeviceMath.Dot<M>(a3, wc, DeviceMath.LoadChunk(x, r3, c, d, wide), n);
            }
            a0 = DeviceMath.WarpSum<M>(a0);
            a1 = DeviceMath.WarpSum<M>(a1);
            a2 = DeviceMath.WarpSum<M>(a2);
            a3 = DeviceMath.WarpSum<M>(a3);
            if (Warp.IsFirstLane && row < s.Out)
            {
                y[t0 * s.Out + o] = a0;
                if (t0 + 1 <= last) y[(t0 + 1) * s.Out + o] = a1;
                if (t0 + 2 <= last) y[(t0 + 2) * s.Out + o] = a2;
                if (t0 + 3 <= last) y[(t0 + 3) * s.Out + o] = a3;
            }
        }
    }
}
