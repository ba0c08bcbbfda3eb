// Per-row reductions on the device: RMSNorm y [T, D] = x / sqrt(mean(x²) + ε) ⊙ g [D], and softmax of
// x [T, N] in place. One warp per row.
using ILGPU;

namespace Amphista.Tensors.Gpu;

/// <summary>Shape of a row-wise call: Rows rows of Cols values.</summary>
internal struct RowShape
{
    public int Rows, Cols;
}

/// <summary>
/// Each row's sums follow <see cref="DeviceMath"/>'s order, which depends on the row's length only. A lane
/// reads, and later writes, only the chunks it owns, so in-place calls (y = x) are safe without barriers.
/// Warps past the last row (the last block's remainder) repeat the last row and discard it.
/// </summary>
internal static class RowKernels
{
    /// <summary>y [T, D] = RMSNorm(x [T, D]) ⊙ weight [D]. One warp per row.</summary>
    public static void RmsNorm<M>(ArrayView<float> x, ArrayView<float> weight, ArrayView<float> y, RowShape s, float eps)
        where M : struct, IFloatOps
    {
        var m = default(M);
        int row = DeviceMath.GridWarp;
        int t = Math.Min(row, s.Rows - 1), start = t * s.Cols;
        bool wide = s.Cols % DeviceMath.Chunk == 0;
        float scale = DeviceMath.RmsScale<M>(DeviceMath.SumSquares<M>(x, start, s.Cols, wide), s.Cols, eps);
        if (row >= s.Rows) return;
        for (int c = Warp.LaneIdx; c < DeviceMath.Chunks(s.Cols); c += DeviceMath.Lanes)
            for (int i = DeviceMath.Chunk * c; i < DeviceMath.Chunk * c + DeviceMath.ChunkLength(c, s.Cols); i++)
                y[start + i] = m.Mul(weight[i], m.Mul(x[start + i], scale));
    }

    /// <summary>
    /// x [T, N] = softmax of each row in place: the maximum subtracted first (exp would overflow above 88),
    /// then e^(x − max) / Σ. One warp per row.
    /// </summary>
    public static void Softmax<M>(ArrayView<float> x, RowShape s) where M : struct, IFloatOps
    {
        var m = default(M);
        int row = DeviceMath.GridWarp;
        int t = Math.Min(row, s.Rows - 1), start = t * s.Cols;
        float max = float.NegativeInfinity;
        for (int c = Warp.LaneIdx; c < DeviceMath.Chunks(s.Cols); c += DeviceMath.Lanes)
            for (int i = DeviceMath.Chunk * c; i < DeviceMath.Chunk * c + DeviceMath.ChunkLength(c, s.Cols); i++)
                max = DeviceMath.Max(max, x[start + i]);
        max = DeviceMath.WarpMax(max);
        float sum = 0f;
        for (int c = Warp.LaneIdx; c < DeviceMath.Chunks(s.Cols); c += DeviceMath.Lanes)
            for (int i = DeviceMath.Chunk * c; i < DeviceMath.Chunk * c + DeviceMath.ChunkLength(c, s.Cols); i++)
            {
                float e = DeviceMath.Exp<M>(m.Sub(x[start + i], max));
                if (row < s.Rows) x[start + i] = e;
                sum = m.Add(sum, e);
            }
        sum = DeviceMath.WarpSum<M>(sum);
        if (row >= s.Rows) return;
        for (int c = Warp.LaneIdx; c < DeviceMath.Chunks(s.Cols); c += DeviceMath.Lanes)
            for (int i = DeviceMath.Chunk * c; i < DeviceMath.Chunk * c + DeviceMath.ChunkLength(c, s.Cols); i++)
                x[start + i] /= sum;
    }
}
