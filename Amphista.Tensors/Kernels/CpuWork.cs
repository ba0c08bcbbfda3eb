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

/// <summary>Attention jobs: one per (query row, head), row-major.</summary>
internal sealed class AttentionWork : IPartitioned
{
    // Per thread, grown by doubling as the context grows: no allocation in a steady decoding loop.
    [ThreadStatic] private static float[]? threadScores;   // [≥S]
    [ThreadStatic] private static int[]? threadSlots;      // [≥S]

    private Tensor? q, k, v, y;   // [T, H·Dh], [≥S, Hkv·Dh] twice, [T, H·Dh]
    private AttentionMask? mask;  // [T, S]
    private int headDim;          // Dh

    public void Set(Tensor q, Tensor k, Tensor v, AttentionMask mask, int headDim, Tensor y) =>
        (this.q, this.k, this.v, this.mask, this.headDim, this.y) = (q, k, v, mask, headDim, y);

    public void Run(int first, int end)
    {
        int heads = q!.Cols / headDim;
        if (threadScores is null || threadScores.Length < mask!.Slots)
        {
            int size = Math.Max(mask!.Slots, 2 * (threadScores?.Length ?? 0));
            (threadScores, threadSlots) = (new float[size], new int[size]);
        }
        for (int job = first; job < end; job++) Head(job / heads, job % heads, threadScores, threadSlots!);
    }

    /// <summary>One (row, head): visible slots visited in increasing order.</summary>
    private void Head(int t, int h, float[] scores, int[] slots)
    {
        int group = q!.Cols / k!.Cols, kvOff = h / group * headDim;
        var query = q.Row(t).Slice(h * headDim, headDim);
        float scale = 1f / MathF.Sqrt(headDim);
        int n = 0;
        var visible = mask!.Row(t);
        for (int s = 0; s < visible.Length; s++)
            if (visible[s]) slots[n++] = s;
        float max = float.NegativeInfinity;
        for (int j = 0; j < n; j++)
        {
            scores[j] = FixedOrderSimd.Dot(query, k.Row(slots[j]).Slice(kvOff, headDim)) * scale;
            max = MathF.Max(max, scores[j]);
        }
        FixedExp.ExpShifted(scores.AsSpan(0, n), max);
        float sum = FixedOrderSimd.Sum(scores.AsSpan(0, n));
        var output = y!.Row(t).Slice(h * headDim, headDim);
        output.Clear();
        for (int j = 0; j < n; j++)
            FixedOrderSimd.MultiplyAdd(output, scores[j] / sum, v!.Row(slots[j]).Slice(kvOff, headDim));
    }
}
