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
    /// <summary>One token row: y [1, O] = x [1, D] · Wᵀ. One warp per output feature.</summary>
    public static void MatVec<M, W>(W w, ArrayView<float> x, ArrayView<float> y, MatMulShape s)
        where M : struct, IFloatOps where W : struct, IDeviceWeightRows
    {
        int row = DeviceMath.GridWarp;
        int o = Math.Min(row, s.Out - 1);
        bool wide = s.In % DeviceMath.Chunk == 0;
        float acc = 0f;
        for (int c = Warp.LaneIdx; c < DeviceMath.Chunks(s.In); c += DeviceMath.Lanes)
        {
            int count = DeviceMath.ChunkLength(c, s.In);
            acc = DeviceMath.Dot<M>(acc, w.Load(o, c, s.In, wide), DeviceMath.LoadChunk(x, 0, c, s.In, wide), count);
        }
        acc = DeviceMath.WarpSum<M>(acc);
        if (Warp.IsFirstLane && row < s.Out) y[o] = acc;
    }

    /// <summary>
    /// T token rows: each warp owns one output feature o and walks the tokens four at a time, reading each
    /// weight chunk once per four tokens. One warp per output feature.
    /// </summary>
    public static void MatMulRows<M, W>(W w, ArrayView<float> x, ArrayView<float> y, MatMulShape s)
        where M : struct, IFloatOps where W : struct, IDeviceWeightRows
    {
        int row = DeviceMath.GridWarp;
        int o = Math.Min(row, s.Out - 1);
        bool wide = s.In % DeviceMath.Chunk == 0;
        int last = s.Rows - 1;
        for (int t0 = 0; t0 < s.Rows; t0 += 4)
        {
            int t1 = Math.Min(t0 + 1, last), t2 = Math.Min(t0 + 2, last), t3 = Math.Min(t0 + 3, last);
            float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
            for (int c = Warp.LaneIdx; c < DeviceMath.Chunks(s.In); c += DeviceMath.Lanes)
            {
                int count = DeviceMath.ChunkLength(c, s.In);
                var wc = w.Load(o, c, s.In, wide);
                a0 = DeviceMath.Dot<M>(a0, wc, DeviceMath.LoadChunk(x, t0 * s.In, c, s.In, wide), count);
                a1 = DeviceMath.Dot<M>(a1, wc, DeviceMath.LoadChunk(x, t1 * s.In, c, s.In, wide), count);
                a2 = DeviceMath.Dot<M>(a2, wc, DeviceMath.LoadChunk(x, t2 * s.In, c, s.In, wide), count);
                a3 = DeviceMath.Dot<M>(a3, wc, DeviceMath.LoadChunk(x, t3 * s.In, c, s.In, wide), count);
            }
            a0 = DeviceMath.WarpSum<M>(a0);
            a1 = DeviceMath.WarpSum<M>(a1);
            a2 = DeviceMath.WarpSum<M>(a2);
            a3 = DeviceMath.WarpSum<M>(a3);
            if (Warp.IsFirstLane && row < s.Out)
            {
                y[t0 * s.Out + o] = a0;
                if (t0 + 1 <= last) y[t1 * s.Out + o] = a1;
                if (t0 + 2 <= last) y[t2 * s.Out + o] = a2;
                if (t0 + 3 <= last) y[t3 * s.Out + o] = a3;
            }
        }
    }
}
