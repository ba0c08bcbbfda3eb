using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Amphista.Tensors.Kernels;

/// <summary>
/// The threaded parts of <see cref="CpuKernels"/> at vector width V, one reusable instance per
/// operation: the caller fills the operands under the instance's lock, then the worker pool runs
/// index ranges of it.
/// </summary>
internal sealed unsafe class MatMulWork<V, TVec> : IPartitioned where V : struct, IVectorOps<TVec> where TVec : struct
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
            if (ws.Type == DType.F32)
                fixed (float* pw = ws.F32) TiledProduct<V, TVec>.Run(new F32Pointer(pw), px, py, xs.Rows, xs.Cols, ys.Cols, begin, stop);
            else
                fixed (ushort* pw = ws.BF16) TiledProduct<V, TVec>.Run(new BF16Pointer(pw), px, py, xs.Rows, xs.Cols, ys.Cols, begin, stop);
        }
    }
}

/// <summary>
/// Attention jobs, one per query head, at vector width V. Each row's operations (scores in slot
/// order, their maximum, exp, sum, then the weighted values in slot order) read only that row's query
/// and visible slots, so a T-row call has the bits of T one-row calls. Rows walk the cache through
/// refs rather than row spans: at the demo model's head size a slot is a few vectors, and slicing
/// cost more than them.
/// </summary>
internal sealed class AttentionWork<V, TVec> : IPartitioned where V : struct, IVectorOps<TVec> where TVec : struct
{
    // Per thread, grown by doubling: no allocation in a steady decoding loop.
    [ThreadStatic] private static float[]? threadScores;   // [S] one row's visible scores, in slot order

    private Tensor? q, k, v, y;   // [T, H·Dh], [≥S, Hkv·Dh] twice, [T, H·Dh]
    private AttentionMask? mask;  // [T, S]
    private int headDim;          // Dh

    public void Set(Tensor q, Tensor k, Tensor v, AttentionMask mask, int headDim, Tensor y) =>
        (this.q, this.k, this.v, this.mask, this.headDim, this.y) = (q, k, v, mask, headDim, y);

    public void Run(int first, int end)
    {
        int slots = mask!.Slots;
        if (threadScores is null || threadScores.Length < slots)
            threadScores = new float[Math.Max(slots, 2 * (threadScores?.Length ?? 0))];
        for (int h = first; h < end; h++)
            for (int t = 0; t < q!.Rows; t++) Row(h, t, threadScores);
    }

    /// <summary>Row t of head h, visible slots visited in increasing order.</summary>
    private void Row(int h, int t, float[] scores)
    {
        int kvCols = k!.Cols, group = q!.Cols / kvCols, at = t * q.Cols + h * headDim, kvOff = h / group * headDim;
        float scale = 1f / MathF.Sqrt(headDim);
        var visible = mask!.Row(t);
        ref float query = ref q.Data[at];
        ref float keys = ref MemoryMarshal.GetArrayDataReference(k.Data);
        ref float values = ref MemoryMarshal.GetArrayDataReference(v!.Data);   // slot 0, column 0
        int count = 0;
        Span<int> four = stackalloc int[4];   // the next four visible slots' cache rows
        for (int s = 0; s < visible.Length; s++)
        {
            if (!visible[s]) continue;
            four[count & 3] = s * kvCols + kvOff;
            if ((++count & 3) != 0) continue;
            FixedOrderSimd<V, TVec>.Dot4(ref query, ref Unsafe.Add(ref keys, four[0]), ref Unsafe.Add(ref keys, four[1]),
                ref Unsafe.Add(ref keys, four[2]), ref Unsafe.Add(ref keys, four[3]), headDim, scores.AsSpan(count - 4, 4));
        }
        for (int j = count & ~3; j < count; j++)
            scores[j] = FixedOrderSimd<V, TVec>.Dot(ref query, ref Unsafe.Add(ref keys, four[j & 3]), headDim);
        float max = float.NegativeInfinity;
        for (int j = 0; j < count; j++)
        {
            scores[j] *= scale;
            max = MathF.Max(max, scores[j]);
        }
        var own = scores.AsSpan(0, count);
        FixedExp.ExpShifted<V, TVec>(own, max);
        // Each weight e_s / sum once, not once per block of columns.
        TensorPrimitives.Divide(own, FixedOrderSimd<V, TVec>.Sum(ref scores[0], count), own);
        WeightedValues(y!.Data.AsSpan(at, headDim), scores, visible, ref Unsafe.Add(ref values, kvOff), kvCols);
    }

    /// <summary>
    /// output [Dh] = Σ_s p_s v_s (p_s = e_s / sum, in weights) over the visible slots in increasing order, each element
    /// one fused multiply-add per slot starting from zero. Blocks of four vectors of columns stay in
    /// registers across the slots; the columns past the last block go through memory. Either way
    /// each element sees the same operations, so its bits depend on neither Dh's blocking nor the width.
    /// </summary>
    private static void WeightedValues(Span<float> output, float[] weights, ReadOnlySpan<bool> visible,
        ref float values, int kvCols)
    {
        int n = output.Length, c = 0, block = 4 * V.Lanes;
        ref float o = ref MemoryMarshal.GetReference(output);
        for (; c <= n - block; c += block)
        {
            TVec a0 = V.Zero, a1 = V.Zero, a2 = V.Zero, a3 = V.Zero;
            for (int s = 0, j = 0; s < visible.Length; s++)
            {
                if (!visible[s]) continue;
                var p = V.Create(weights[j++]);
                ref float row = ref Unsafe.Add(ref values, s * kvCols + c);
                a0 = V.FusedMultiplyAdd(p, V.Load(ref row, 0), a0);
                a1 = V.FusedMultiplyAdd(p, V.Load(ref row, V.Lanes), a1);
                a2 = V.FusedMultiplyAdd(p, V.Load(ref row, 2 * V.Lanes), a2);
                a3 = V.FusedMultiplyAdd(p, V.Load(ref row, 3 * V.Lanes), a3);
            }
            V.Store(a0, ref o, c);
            V.Store(a1, ref o, c + V.Lanes);
            V.Store(a2, ref o, c + 2 * V.Lanes);
            V.Store(a3, ref o, c + 3 * V.Lanes);
        }
        if (c == n) return;
        var rest = output[c..];
        rest.Clear();
        for (int s = 0, j = 0; s < visible.Length; s++)
            if (visible[s])
                FixedOrderSimd<V, TVec>.MultiplyAdd(ref rest[0], weights[j++], ref Unsafe.Add(ref values, s * kvCols + c), rest.Length);
    }
}
