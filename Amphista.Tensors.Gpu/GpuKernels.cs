// The IKernels operations over device buffers: x, y [T, ·] activations, W [O, D] weights, k, v [C, Hkv·Dh]
// caches, mask [T, S]. Every call checks shapes on the host and queues its kernel on the device's stream;
// only Argmax and TopK wait for the device, to bring their few indices back.
using ILGPU;
using ILGPU.Runtime;
using Amphista.Tensors.Kernels;

namespace Amphista.Tensors.Gpu;

/// <summary>
/// GPU twins of <see cref="IKernels"/>. Results are deterministic and batch-invariant (row t of a T-row call is
/// bit-identical to a 1-row call on that row); they need not equal the CPU kernels' bits. T is the rows of the
/// tensors passed: slice a larger buffer (<see cref="DeviceTensor.Slice"/>) to run on fewer rows.
/// </summary>
public sealed class GpuKernels(GpuDevice device) : IDisposable
{
    /// <summary>
    /// Warps per block of the warp-per-row kernels on a GPU. Each warp owns its rows, so this changes no result;
    /// the spare warps of a last, partial block repeat a valid row and write nothing, which the simulator's kernel
    /// tests exercise on every odd row count.
    /// </summary>
    internal const int GroupWarps = 4;

    private readonly int groupWarps = device.GroupWarps;
    private int GroupSize => groupWarps * DeviceMath.Lanes;

    private readonly KernelSet k = device.Kernels;
    private MemoryBuffer1D<float, Stride1D.Dense>? scores;   // attention scratch [warps, S]
    private MemoryBuffer1D<int, Stride1D.Dense>? picks;      // top-k result [k + 1]

    public GpuDevice Device => device;

    /// <summary>y [T, O] = x [T, D] · W [O, D]ᵀ; one kernel for T = 1, another for T &gt; 1, same bits per row.</summary>
    public void MatMul(DeviceTensor x, DeviceWeights w, DeviceTensor y)
    {
        Own(x, y);
        Require(w.Device == device, "weights belong to another device");
        Require(x.Cols == w.Cols && y.Rows == x.Rows && y.Cols == w.Rows, $"matmul shapes: x {x}, W {w}, y {y}");
        if (x.Rows == 0) return;
        var shape = new MatMulShape { Rows = x.Rows, In = w.Cols, Out = w.Rows };
        var config = new KernelConfig(Blocks(w.Rows), GroupSize);
        bool one = x.Rows == 1;
        if (w.Type == DType.BF16) (one ? k.MatVecBf16 : k.MatMulRowsBf16)(config, w.Bf16, x.View, y.View, shape);
        else (one ? k.MatVecF32 : k.MatMulRowsF32)(config, w.F32, x.View, y.View, shape);
    }

    /// <summary>x [T, N] += delta [T, N].</summary>
    public void Add(DeviceTensor x, DeviceTensor delta)
    {
        Own(x, delta);
        SameShape(x, delta, "add");
        if (x.View.Length > 0) k.Add((int)x.View.Length, x.View, delta.View);
    }

    /// <summary>x [T, N] += bias [1, N] on every row.</summary>
    public void AddBias(DeviceTensor x, DeviceTensor bias)
    {
        Own(x, bias);
        Require(bias.Rows == 1 && bias.Cols == x.Cols, $"bias {bias} does not fit {x}");
        if (x.View.Length > 0) k.AddBias((int)x.View.Length, x.View, bias.View, x.Cols);
    }

    /// <summary>y [T, N] = SiLU(x).</summary>
    public void Silu(DeviceTensor x, DeviceTensor y)
    {
        Own(x, y);
        SameShape(x, y, "silu");
        if (x.View.Length > 0) k.Silu((int)x.View.Length, x.View, y.View);
    }

    /// <summary>y [T, D] = x / sqrt(mean(x²) + eps) ⊙ weight [1, D], per row; y may be x.</summary>
    public void RmsNorm(DeviceTensor x, DeviceTensor weight, float eps, DeviceTensor y)
    {
        Own(x, weight, y);
        Require(weight.Rows == 1 && weight.Cols == x.Cols && y.Rows == x.Rows && y.Cols == x.Cols,
            $"rmsnorm shapes: x {x}, weight {weight}, y {y}");
        if (x.Rows == 0) return;
        k.RmsNorm(new KernelConfig(Blocks(x.Rows), GroupSize), x.View, weight.View, y.View,
            new RowShape { Rows = x.Rows, Cols = x.Cols }, eps);
    }

    /// <summary>Rotates x [T, n·Dh] in place, row t at positions[t], every head alike.</summary>
    public void Rope(DeviceTensor x, DeviceInts positions, DeviceRope table)
    {
        Own(x);
        Require(positions.Device == device && table.Device == device, "positions or table belong to another device");
        Require(x.Cols % table.HeadDim == 0 && positions.Count == x.Rows,
            $"rope shapes: x {x}, head_dim {table.HeadDim}, {positions.Count} positions");
        Require(positions.Limit <= table.MaxPositions,
            $"positions were checked against {positions.Limit}, beyond the table's {table.MaxPositions} positions");
        if (x.View.Length > 0)
            k.Rope((int)(x.View.Length / 2), x.View, positions.View, table.Cos, table.Sin,
                new RopeShape { Cols = x.Cols, HeadDim = table.HeadDim });
    }

    /// <summary>y [T, F] = SiLU(gate) ⊙ up.</summary>
    public void SwiGlu(DeviceTensor gate, DeviceTensor up, DeviceTensor y)
    {
        Own(gate, up, y);
        SameShape(gate, up, "swiglu");
        SameShape(gate, y, "swiglu");
        if (y.View.Length > 0) k.SwiGlu((int)y.View.Length, gate.View, up.View, y.View);
    }

    /// <summary>x [T, N] = softmax of each row, in place (max subtracted first).</summary>
    public void Softmax(DeviceTensor x)
    {
        Own(x);
        if (x.Rows == 0 || x.Cols == 0) return;
        k.Softmax(new KernelConfig(Blocks(x.Rows), GroupSize), x.View, new RowShape { Rows = x.Rows, Cols = x.Cols });
    }

    /// <summary>
    /// y [T, H·Dh] = softmax(q kᵀ / sqrt(Dh) over the slots mask [T, S] shows) v, for q [T, H·Dh] against
    /// caches k, v [≥S, Hkv·Dh]; query head h reads key/value head h / (H / Hkv).
    /// </summary>
    public void Attention(DeviceTensor q, DeviceTensor kCache, DeviceTensor vCache, DeviceMask mask, int headDim, DeviceTensor y)
    {
        Own(q, kCache, vCache, y);
        Require(mask.Device == device, "mask belongs to another device");
        bool ok = headDim > 0 && q.Cols % headDim == 0 && kCache.Cols % headDim == 0 && kCache.Cols == vCache.Cols
            && kCache.Rows == vCache.Rows && (q.Cols / headDim) % (kCache.Cols / headDim) == 0
            && mask.Rows == q.Rows && mask.Slots <= kCache.Rows && y.Rows == q.Rows && y.Cols == q.Cols;
        Require(ok, $"attention shapes: q {q}, k {kCache}, v {vCache}, mask [{mask.Rows}, {mask.Slots}], head_dim {headDim}, y {y}");
        if (q.Rows == 0 || q.Cols == 0) return;
        var shape = new AttentionShape
        {
            Rows = q.Rows,
            Slots = mask.Slots,
            Heads = q.Cols / headDim,
            KvHeads = kCache.Cols / headDim,
            HeadDim = headDim,
            Scale = 1f / MathF.Sqrt(headDim),
        };
        int blocks = Blocks(shape.Rows * shape.Heads);
        var scratch = Scratch(ref scores, (long)blocks * groupWarps * shape.Slots);
        k.Attention(new KernelConfig(blocks, GroupSize), q.View, kCache.View, vCache.View, mask.View, scratch, y.View, shape);
    }

    /// <summary>dst rows dstRow.., columns dstCol.. = src rows srcRow.. [rows, src.Cols], in stream order; the ranges must not overlap.</summary>
    public void CopyRows(DeviceTensor src, int srcRow, DeviceTensor dst, int dstRow, int rows, int dstCol = 0)
    {
        Own(src, dst);
        Require(rows >= 0 && srcRow >= 0 && dstRow >= 0 && dstCol >= 0 && srcRow + rows <= src.Rows && dstRow + rows <= dst.Rows
            && dstCol + src.Cols <= dst.Cols, $"copy of {rows} rows from {src} row {srcRow} to {dst} row {dstRow}, column {dstCol}");
        if (rows == 0 || src.Cols == 0) return;
        var from = src.View.SubView((long)srcRow * src.Cols, (long)rows * src.Cols);
        var to = dst.View.SubView((long)dstRow * dst.Cols, (long)rows * dst.Cols);
        k.CopyRows((int)from.Length, from, to, new PlaceShape { Cols = src.Cols, DstCols = dst.Cols, DstCol = dstCol });
    }

    /// <summary>y [T, ·] row t, columns dstCol..dstCol+D-1 = table [V, D] row ids[t], widened to float32 (the token embedding).</summary>
    public void Embed(DeviceWeights table, DeviceInts ids, DeviceTensor y, int dstCol = 0)
    {
        Own(y);
        Require(table.Device == device && ids.Device == device, "table or ids belong to another device");
        Require(ids.Count == y.Rows && dstCol >= 0 && dstCol + table.Cols <= y.Cols,
            $"embedding shapes: table {table}, {ids.Count} ids, y {y}, column {dstCol}");
        Require(ids.Limit <= table.Rows, $"ids were checked against {ids.Limit}, beyond the table's {table.Rows} rows");
        int n = y.Rows * table.Cols;
        if (n == 0) return;
        var place = new PlaceShape { Cols = table.Cols, DstCols = y.Cols, DstCol = dstCol };
        if (table.Type == DType.BF16) k.GatherBf16(n, table.Bf16, ids.View, y.View, place);
        else k.GatherF32(n, table.F32, ids.View, y.View, place);
    }

    /// <summary>Index of the largest value of x [1, N]; the lowest index wins ties.</summary>
    public int Argmax(DeviceTensor x)
    {
        Span<int> index = stackalloc int[1];
        TopK(x, index);
        return index[0];
    }

    /// <summary>The indices [k] of the k largest values of x [1, N], largest first; lower index first on ties.</summary>
    public void TopK(DeviceTensor x, Span<int> indices)
    {
        Own(x);
        Require(x.Rows == 1, $"top-k reads one row, got {x}");
        Require(indices.Length > 0 && indices.Length <= x.Cols, $"top-{indices.Length} of a vector of {x.Cols} values");
        int count = indices.Length;
        var result = Scratch(ref picks, count + 1);
        k.TopK(new KernelConfig(1, DeviceMath.Lanes), x.View, result, x.Cols, count);
        Span<int> back = stackalloc int[count + 1];
        result.SubView(0, count + 1).CopyToCPU(device.Stream, back);
        if (back[count] == 0)
        {
            back[..count].CopyTo(indices);
            return;
        }
        // A NaN: the reference loop's answer is the specification, as for the CPU kernels.
        new ReferenceKernels().TopK(x.Download().Data, indices);
    }

    /// <summary>Waits for every queued kernel.</summary>
    public void Synchronize() => device.Stream.Synchronize();

    /// <summary>A device buffer of at least length elements, reallocated (after the queued work) when too small.</summary>
    private ArrayView<T> Scratch<T>(ref MemoryBuffer1D<T, Stride1D.Dense>? buffer, long length) where T : unmanaged
    {
        if (buffer is null || buffer.Length < length)
        {
            if (buffer is not null)
            {
                device.Stream.Synchronize();
                buffer.Dispose();
            }
            buffer = device.Accelerator.Allocate1D<T>(length);
        }
        return buffer.View;
    }

    /// <summary>Blocks of the device's warps per group covering one warp per item.</summary>
    private int Blocks(int items) => (items + groupWarps - 1) / groupWarps;

    private void Own(params ReadOnlySpan<DeviceTensor> tensors)
    {
        foreach (var t in tensors)
            Require(t.Device == device, $"{t} belongs to another device");
    }

    private static void SameShape(DeviceTensor a, DeviceTensor b, string what) =>
        Require(a.Rows == b.Rows && a.Cols == b.Cols, $"{what} shapes differ: {a}, {b}");

    private static void Require(bool ok, string message)
    {
        if (!ok) throw new ArgumentException(message);
    }

    public void Dispose()
    {
        scores?.Dispose();
        picks?.Dispose();
    }
}
