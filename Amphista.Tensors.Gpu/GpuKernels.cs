// The IKernels operations over device buffers: x, y [T, ·] activations, W [O, D] weights, k, v [C, Hkv·Dh]
// caches, mask [T, S]; and the fused steps of a decoder layer (RMSNorm into the products it feeds, SwiGLU and the
// residual add into a product's store, RoPE into the cache write). Every call checks shapes on the host and queues
// its kernels on the device's stream, counting them; only Argmax and TopK wait for the device, to bring their few
// indices back.
using ILGPU;
using ILGPU.Runtime;
using Amphista.Tensors.Kernels;

namespace Amphista.Tensors.Gpu;

/// <summary>
/// GPU twins of <see cref="IKernels"/>. Results are deterministic and batch-invariant (row t of a T-row call is
/// bit-identical to a 1-row call on that row); they need not equal the CPU kernels' bits. A fused operation gives
/// the bits of the operations it fuses. T is the rows of the tensors passed: slice a larger buffer
/// (<see cref="DeviceTensor.Slice"/>) to run on fewer rows.
/// </summary>
public sealed class GpuKernels(GpuDevice device) : IDisposable
{
    /// <summary>
    /// Warps per block of the warp-per-row kernels on a GPU. Each warp owns its rows, so this changes no result;
    /// the spare warps of a last, partial block repeat a valid row and write nothing, which the simulator's kernel
    /// tests exercise on every odd row count.
    /// </summary>
    internal const int GroupWarps = 4;

    /// <summary>
    /// The most warps of a block of the T-token product on a GPU: 16 warps of 4 tokens share each weight load among
    /// 64 tokens. Blocks of 512 threads leave each thread up to 128 registers.
    /// </summary>
    internal const int TileWarps = 16;

    /// <summary>
    /// Attention's part records are bounded to this many floats: a call over more rows than fit runs as several
    /// launches of fewer rows (the results are the same, row by row).
    /// </summary>
    private const long AttentionScratchFloats = 1L << 25;

    private readonly int groupWarps = device.GroupWarps;
    private int GroupSize => groupWarps * DeviceMath.Lanes;

    private readonly KernelSet k = device.Kernels;
    private MemoryBuffer1D<float, Stride1D.Dense>? partials;   // attention's part records [T·H·P, Dh']
    private MemoryBuffer1D<int, Stride1D.Dense>? finished;     // attention's finished parts [T·H], zero between calls
    private MemoryBuffer1D<int, Stride1D.Dense>? picks;        // top-k results [R, k + 1]
    private int[] picked = new int[64];                         // top-k results on the host [R, k + 1]

    public GpuDevice Device => device;

    /// <summary>Kernels queued so far: what a decoding step costs in launches.</summary>
    public long Launches { get; private set; }

    /// <summary>y [T, O] = x [T, D] · W [O, D]ᵀ; one kernel for T = 1, another for T &gt; 1, same bits per row.</summary>
    public void MatMul(DeviceTensor x, DeviceWeights w, DeviceTensor y) => Product(x, null, 0f, [w], [y], ProductEpilogue.Store);

    /// <summary>y [T, O] += x [T, D] · W [O, D]ᵀ: the bits of <see cref="MatMul"/> into a buffer, then <see cref="Add"/>.</summary>
    public void MatMulAdd(DeviceTensor x, DeviceWeights w, DeviceTensor y) => Product(x, null, 0f, [w], [y], ProductEpilogue.Add);

    /// <summary>
    /// ys[i] [T, O_i] = (RMSNorm(x [T, D]) ⊙ gain [1, D]) · W_i [O_i, D]ᵀ, up to three products in one launch (more,
    /// or weights of mixed types, in several): the bits of <see cref="RmsNorm"/> followed by <see cref="MatMul"/>.
    /// </summary>
    public void NormMatMul(DeviceTensor x, DeviceTensor gain, float eps, ReadOnlySpan<DeviceWeights> ws, ReadOnlySpan<DeviceTensor> ys)
    {
        Require(ws.Length == ys.Length && ws.Length > 0, $"{ws.Length} weight matrices for {ys.Length} outputs");
        int first = 0;
        for (int i = 1; i <= ws.Length; i++)
            if (i == ws.Length || i - first == 3 || ws[i].Type != ws[first].Type)
            {
                Product(x, gain, eps, ws[first..i], ys[first..i], ProductEpilogue.Store);
                first = i;
            }
    }

    /// <summary>
    /// y [T, F] = SiLU(h · Gateᵀ) ⊙ (h · Upᵀ), h = RMSNorm(x) ⊙ gain, in one launch: the bits of <see cref="RmsNorm"/>,
    /// two <see cref="MatMul"/>s and <see cref="SwiGlu"/>.
    /// </summary>
    public void NormSwiGlu(DeviceTensor x, DeviceTensor gain, float eps, DeviceWeights gate, DeviceWeights up, DeviceTensor y)
    {
        Require(gate.Rows == up.Rows && gate.Type == up.Type, $"gate {gate} and up {up} differ in rows or type");
        Product(x, gain, eps, [gate, up], [y], ProductEpilogue.SwiGlu);
    }

    /// <summary>x [T, N] += delta [T, N].</summary>
    public void Add(DeviceTensor x, DeviceTensor delta)
    {
        Own(x, delta);
        SameShape(x, delta, "add");
        if (x.View.Length == 0) return;
        Launches++;
        k.Add((int)x.View.Length, x.View, delta.View);
    }

    /// <summary>x [T, N] += bias [1, N] on every row.</summary>
    public void AddBias(DeviceTensor x, DeviceTensor bias)
    {
        Own(x, bias);
        Require(bias.Rows == 1 && bias.Cols == x.Cols, $"bias {bias} does not fit {x}");
        if (x.View.Length == 0) return;
        Launches++;
        k.AddBias((int)x.View.Length, x.View, bias.View, x.Cols);
    }

    /// <summary>y [T, N] = SiLU(x).</summary>
    public void Silu(DeviceTensor x, DeviceTensor y)
    {
        Own(x, y);
        SameShape(x, y, "silu");
        if (x.View.Length == 0) return;
        Launches++;
        k.Silu((int)x.View.Length, x.View, y.View);
    }

    /// <summary>y [T, D] = x / sqrt(mean(x²) + eps) ⊙ weight [1, D], per row; y may be x.</summary>
    public void RmsNorm(DeviceTensor x, DeviceTensor weight, float eps, DeviceTensor y)
    {
        Own(x, weight, y);
        Require(weight.Rows == 1 && weight.Cols == x.Cols && y.Rows == x.Rows && y.Cols == x.Cols,
            $"rmsnorm shapes: x {x}, weight {weight}, y {y}");
        if (x.Rows == 0) return;
        Launches++;
        k.RmsNorm(new KernelConfig(Blocks(x.Rows), GroupSize), x.View, weight.View, y.View,
            new RowShape { Rows = x.Rows, Cols = x.Cols }, eps);
    }

    /// <summary>Rotates x [T, n·Dh] in place, row t at positions[t], every head alike.</summary>
    public void Rope(DeviceTensor x, DeviceInts positions, DeviceRope table)
    {
        Own(x);
        CheckPositions(positions, table, x.Rows);
        Require(x.Cols % table.HeadDim == 0, $"rope shapes: x {x}, head_dim {table.HeadDim}");
        if (x.View.Length == 0) return;
        Launches++;
        k.Rope((int)(x.View.Length / 2), x.View, positions.View, table.Cos, table.Sin,
            new RopeShape { Cols = x.Cols, HeadDim = table.HeadDim });
    }

    /// <summary>
    /// q [T, H·Dh] rotated in place; k [T, Hkv·Dh] rotated into kCache [C, Hkv·Dh] and v [T, Hkv·Dh] copied into
    /// vCache [C, Hkv·Dh] at rows firstSlot..firstSlot+T-1, in one launch (k itself is left as it was): the bits of
    /// two <see cref="Rope"/>s and two <see cref="CopyRows"/>.
    /// </summary>
    public void RopeAndCache(DeviceTensor q, DeviceTensor kRows, DeviceTensor v, DeviceInts positions, DeviceRope table,
        DeviceTensor kCache, DeviceTensor vCache, int firstSlot)
    {
        Own(q, kRows, v, kCache, vCache);
        CheckPositions(positions, table, q.Rows);
        SameShape(kRows, v, "rope and cache");
        bool ok = kRows.Rows == q.Rows && q.Cols % table.HeadDim == 0 && kRows.Cols % table.HeadDim == 0
            && kCache.Cols == kRows.Cols && vCache.Cols == kRows.Cols && kCache.Rows == vCache.Rows
            && firstSlot >= 0 && firstSlot + q.Rows <= kCache.Rows;
        Require(ok, $"rope and cache shapes: q {q}, k {kRows}, caches {kCache} at slot {firstSlot}, head_dim {table.HeadDim}");
        var shape = new RopeCacheShape { QCols = q.Cols, KvCols = kRows.Cols, HeadDim = table.HeadDim, FirstSlot = firstSlot };
        if (q.Rows == 0) return;
        Launches++;
        k.RopeAndCache(q.Rows * shape.PerRow, q.View, kRows.View, v.View, positions.View, table.Cos, table.Sin, kCache.View,
            vCache.View, shape);
    }

    /// <summary>y [T, F] = SiLU(gate) ⊙ up.</summary>
    public void SwiGlu(DeviceTensor gate, DeviceTensor up, DeviceTensor y)
    {
        Own(gate, up, y);
        SameShape(gate, up, "swiglu");
        SameShape(gate, y, "swiglu");
        if (y.View.Length == 0) return;
        Launches++;
        k.SwiGlu((int)y.View.Length, gate.View, up.View, y.View);
    }

    /// <summary>x [T, N] = softmax of each row, in place (max subtracted first).</summary>
    public void Softmax(DeviceTensor x)
    {
        Own(x);
        if (x.Rows == 0 || x.Cols == 0) return;
        Launches++;
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
            Slots = mask.Slots,
            Heads = q.Cols / headDim,
            KvHeads = kCache.Cols / headDim,
            HeadDim = headDim,
            Scale = 1f / MathF.Sqrt(headDim),
            Parts = (mask.Slots + AttentionKernels.PartSlots - 1) / AttentionKernels.PartSlots,
        };
        long perRow = (long)shape.Heads * shape.Parts * shape.Record;
        int rowsPerCall = (int)Math.Clamp(AttentionScratchFloats / perRow, 1, q.Rows);
        var records = Scratch(ref partials, rowsPerCall * perRow, zeroed: false);
        var counts = Scratch(ref finished, (long)rowsPerCall * shape.Heads, zeroed: true);
        for (int first = 0; first < q.Rows; first += rowsPerCall)
        {
            shape.Rows = Math.Min(rowsPerCall, q.Rows - first);
            Launches++;
            k.Attention(new KernelConfig(Blocks(shape.Rows * shape.Heads * shape.Parts), GroupSize),
                q.View.SubView((long)first * q.Cols, (long)shape.Rows * q.Cols), kCache.View, vCache.View,
                mask.View.SubView((long)first * mask.Slots, (long)shape.Rows * mask.Slots), records, counts,
                y.View.SubView((long)first * y.Cols, (long)shape.Rows * y.Cols), shape);
        }
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
        Launches++;
        k.CopyRows((int)from.Length, from, to, new PlaceShape { Cols = src.Cols, DstCols = dst.Cols, DstCol = dstCol });
    }

    /// <summary>For i = 0, 1, ... in order, dst row to[i] = src row from[i]; src may be dst. One launch.</summary>
    public void CopyRowList(DeviceTensor src, DeviceInts from, DeviceTensor dst, DeviceInts to)
    {
        Own(src, dst);
        Require(from.Device == device && to.Device == device, "row numbers belong to another device");
        Require(src.Cols == dst.Cols && from.Count == to.Count && from.Limit <= src.Rows && to.Limit <= dst.Rows,
            $"copy of {from.Count} rows of {src} (below {from.Limit}) to {to.Count} rows of {dst} (below {to.Limit})");
        if (from.Count == 0 || src.Cols == 0) return;
        Launches++;
        k.CopyRowList(src.Cols, src.View, dst.View, from.View, to.View, src.Cols);
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
        Launches++;
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
        Require(x.Rows == 1, $"top-k reads one row, got {x}");
        TopK(x, indices.Length, indices);
    }

    /// <summary>
    /// indices [R, k]: each row's top-k of x [R, N] (largest first, lower index first on ties), one launch and one
    /// transfer back for all rows.
    /// </summary>
    public void TopK(DeviceTensor x, int count, Span<int> indices)
    {
        Own(x);
        Require(count > 0 && count <= x.Cols && indices.Length == x.Rows * count,
            $"top-{count} of each row of {x} into {indices.Length} indices");
        if (x.Rows == 0) return;
        int stride = count + 1;
        var result = Scratch(ref picks, (long)x.Rows * stride, zeroed: false);
        Launches++;
        k.TopK(new KernelConfig(x.Rows, DeviceMath.Lanes), x.View, result, x.Cols, count);
        if (picked.Length < x.Rows * stride) picked = new int[x.Rows * stride];
        var back = picked.AsSpan(0, x.Rows * stride);
        result.SubView(0, back.Length).CopyToCPU(device.Stream, back);
        for (int r = 0; r < x.Rows; r++)
        {
            var row = indices.Slice(r * count, count);
            if (back[r * stride + count] == 0) back.Slice(r * stride, count).CopyTo(row);
            // A NaN: the reference loop's answer is the specification, as for the CPU kernels.
            else new ReferenceKernels().TopK(x.Slice(r, 1).Download().Data, row);
        }
    }

    /// <summary>Waits for every queued kernel.</summary>
    public void Synchronize() => device.Stream.Synchronize();

    /// <summary>
    /// One product over a stack of 1 to 3 weight matrices of one type: x [T, D], gain [1, D] when normalizing,
    /// ys[i] [T, O_i] (SwiGLU: the gate and up matrices into one y [T, F]).
    /// </summary>
    private void Product(DeviceTensor x, DeviceTensor? gain, float eps, ReadOnlySpan<DeviceWeights> ws, ReadOnlySpan<DeviceTensor> ys,
        ProductEpilogue epilogue)
    {
        Own(x);
        if (gain is not null) Own(gain);
        bool paired = epilogue == ProductEpilogue.SwiGlu;
        Require(ws.Length is >= 1 and <= 3 && ys.Length == (paired ? 1 : ws.Length), $"{ws.Length} weight matrices for {ys.Length} outputs");
        Require(gain is null || (gain.Rows == 1 && gain.Cols == x.Cols), $"norm gain {gain} does not fit {x}");
        int stacked = 0;
        for (int i = 0; i < ws.Length; i++)
        {
            var y = ys[paired ? 0 : i];
            Own(y);
            Require(ws[i].Device == device, "weights belong to another device");
            Require(ws[i].Type == ws[0].Type, $"stacked weights of types {ws[0].Type} and {ws[i].Type}");
            Require(x.Cols == ws[i].Cols && y.Rows == x.Rows && y.Cols == ws[i].Rows, $"matmul shapes: x {x}, W {ws[i]}, y {y}");
            stacked += ws[i].Rows;
        }
        if (x.Rows == 0) return;
        var shape = new ProductShape
        {
            Rows = x.Rows,
            In = x.Cols,
            Out = paired ? ws[0].Rows : stacked,
            Epilogue = epilogue,
            Norm = gain is null ? 0 : 1,
            Eps = eps,
        };
        var outputs = new OutputStack
        {
            A = ys[0].View,
            B = ys[ys.Length > 1 ? 1 : 0].View,
            C = ys[^1].View,
            ColsA = ys[0].Cols,
            ColsB = ys.Length > 1 ? ys[1].Cols : 0,
            ColsC = ys.Length > 2 ? ys[2].Cols : 0,
        };
        var config = x.Rows == 1 ? VectorConfig(shape) : TileConfig(ref shape);
        var input = gain?.View ?? x.View;
        bool one = x.Rows == 1;
        Launches++;
        if (ws[0].Type == DType.BF16)
            (one ? k.MatVecBf16 : k.MatMulTilesBf16)(config, Stack(ws, static w => w.Bf16), x.View, input, outputs, shape);
        else (one ? k.MatVecF32 : k.MatMulTilesF32)(config, Stack(ws, static w => w.F32), x.View, input, outputs, shape);
    }

    /// <summary>The one-token product's grid: a warp per two weight rows (one feature when paired).</summary>
    private KernelConfig VectorConfig(ProductShape shape)
    {
        int perWarp = shape.Paired ? 1 : MatMulKernels.VectorRows;
        return new KernelConfig(Blocks((shape.Out + perWarp - 1) / perWarp), GroupSize);
    }

    /// <summary>
    /// The T-token product's grid: token warps enough for T (up to the device's block), the rest of the block split
    /// over rows, and passes over the tokens when T needs more token warps than a block holds.
    /// </summary>
    private KernelConfig TileConfig(ref ProductShape shape)
    {
        int perTile = shape.Paired ? MatMulKernels.TileRows / 2 : MatMulKernels.TileRows;
        int tiles = (shape.Out + perTile - 1) / perTile;
        int tokenGroups = (shape.Rows + MatMulKernels.TileTokens - 1) / MatMulKernels.TileTokens;
        int tokenWarps = Math.Min(tokenGroups, device.TileWarps);
        int rowWarps = Math.Clamp(device.TileWarps / tokenWarps, 1, Math.Min(MatMulKernels.MaxRowWarps, tiles));
        int passes = (tokenGroups + tokenWarps - 1) / tokenWarps;
        shape.TokenWarps = tokenWarps;
        shape.RowBlocks = (tiles + rowWarps - 1) / rowWarps;
        return new KernelConfig(shape.RowBlocks * passes, rowWarps * tokenWarps * DeviceMath.Lanes);
    }

    private static WeightStack<W> Stack<W>(ReadOnlySpan<DeviceWeights> ws, Func<DeviceWeights, W> rows) where W : struct, IDeviceWeightRows
    {
        var a = rows(ws[0]);
        return new WeightStack<W>
        {
            A = a,
            B = ws.Length > 1 ? rows(ws[1]) : a,
            C = ws.Length > 2 ? rows(ws[2]) : a,
            RowsA = ws[0].Rows,
            RowsB = ws.Length > 1 ? ws[1].Rows : 0,
        };
    }

    private void CheckPositions(DeviceInts positions, DeviceRope table, int rows)
    {
        Require(positions.Device == device && table.Device == device, "positions or table belong to another device");
        Require(positions.Count == rows, $"{positions.Count} positions for {rows} rows");
        Require(positions.Limit <= table.MaxPositions,
            $"positions were checked against {positions.Limit}, beyond the table's {table.MaxPositions} positions");
    }

    /// <summary>
    /// A device buffer of at least length elements, reallocated (after the queued work) when too small; zeroed when
    /// made if asked (the kernel then keeps it so).
    /// </summary>
    private ArrayView<T> Scratch<T>(ref MemoryBuffer1D<T, Stride1D.Dense>? buffer, long length, bool zeroed) where T : unmanaged
    {
        if (buffer is null || buffer.Length < length)
        {
            if (buffer is not null)
            {
                device.Stream.Synchronize();
                buffer.Dispose();
            }
            buffer = device.Accelerator.Allocate1D<T>(length);
            if (zeroed) buffer.View.MemSetToZero(device.Stream);
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
        partials?.Dispose();
        finished?.Dispose();
        picks?.Dispose();
    }
}
