namespace Amphista.Tensors.Kernels;

/// <summary>
/// The threaded parts of <see cref="CpuKernels"/>, one reusable instance per operation: the caller
/// fills the operands under the instance's lock, then the worker pool runs index ranges of it.
/// </summary>
internal sealed unsafe class MatMulWork : IPartitioned
{
    private Tensor? x, y;        // [T, D], [T, O]
    private WeightMatrix? w;     // [O, D]

    public void Set(Tensor x, WeightMatrix w, Tensor y) => (this.x, this.w, this.y) = (x, w, y);

    /// <summary>Output features first..end-1.</summary>
    public void Run(int begin, int stop)
    {
        var (xs, ws, ys) = (x!, w!, y!);
        fixed (float* px = xs.Data, py = ys.Data)
        {
            if (ws.F32 is { } f32)
                fixed (float* pw = f32) TiledProduct.Run(new F32Pointer(pw), px, py, xs.Rows, xs.Cols, ys.Cols, begin, stop);
            else
                fixed (ushort* pw = ws.BF16) TiledProduct.Run(new BF16Pointer(pw), px, py, xs.Rows, xs.Cols, ys.Cols, begin, stop);
        }
    }
}

/// <summary>
/// Attention jobs, one per query head, over all T rows at once: each cached key and value row is
/// loaded once and used by every query row that sees it (a tree pass's rows share their whole prefix),
/// while each row's own operations (scores in slot order, their maximum, exp, sum, then the weighted
/// values in slot order) are exactly those of a one-row call.
/// </summary>
internal sealed class AttentionWork : IPartitioned
{
    // Per thread, grown by doubling: no allocation in a steady decoding loop.
    [ThreadStatic] private static float[]? threadScores;   // [T·S] row t's scores from t·S
    [ThreadStatic] private static float[]? threadMax;      // [T]
    [ThreadStatic] private static float[]? threadSum;      // [T]
    [ThreadStatic] private static int[]? threadCount;      // [T]

    private Tensor? q, k, v, y;   // [T, H·Dh], [≥S, Hkv·Dh] twice, [T, H·Dh]
    private AttentionMask? mask;  // [T, S]
    private int headDim;          // Dh

    public void Set(Tensor q, Tensor k, Tensor v, AttentionMask mask, int headDim, Tensor y) =>
        (this.q, this.k, this.v, this.mask, this.headDim, this.y) = (q, k, v, mask, headDim, y);

    public void Run(int first, int end)
    {
        int rows = q!.Rows, slots = mask!.Slots;
        if (threadScores is null || threadScores.Length < rows * slots)
            threadScores = new float[Math.Max(rows * slots, 2 * (threadScores?.Length ?? 0))];
        if (threadMax is null || threadMax.Length < rows)
            (threadMax, threadSum, threadCount) = (new float[2 * rows], new float[2 * rows], new int[2 * rows]);
        for (int h = first; h < end; h++) Head(h, threadScores, threadMax, threadSum!, threadCount!);
    }

    /// <summary>Head h for every row: visible slots visited in increasing order.</summary>
    private void Head(int h, float[] scores, float[] max, float[] sum, int[] count)
    {
        int rows = q!.Rows, slots = mask!.Slots, group = q.Cols / k!.Cols, kvOff = h / group * headDim;
        float scale = 1f / MathF.Sqrt(headDim);
        for (int t = 0; t < rows; t++) (count[t], max[t]) = (0, float.NegativeInfinity);
        for (int s = 0; s < slots; s++)
        {
            var key = k.Row(s).Slice(kvOff, headDim);
            for (int t = 0; t < rows; t++)
            {
                if (!mask[t, s]) continue;
                float score = FixedOrderSimd.Dot(q.Row(t).Slice(h * headDim, headDim), key) * scale;
                scores[t * slots + count[t]++] = score;
                max[t] = MathF.Max(max[t], score);
            }
        }
        for (int t = 0; t < rows; t++)
        {
            var own = scores.AsSpan(t * slots, count[t]);
            FixedExp.ExpShifted(own, max[t]);
            sum[t] = FixedOrderSimd.Sum(own);
            y!.Row(t).Slice(h * headDim, headDim).Clear();
            count[t] = 0;
        }
        for (int s = 0; s < slots; s++)
        {
            var value = v!.Row(s).Slice(kvOff, headDim);
            for (int t = 0; t < rows; t++)
                if (mask[t, s])
                    FixedOrderSimd.MultiplyAdd(y!.Row(t).Slice(h * headDim, headDim), scores[t * slots + count[t]++] / sum[t], value);
        }
    }
}
