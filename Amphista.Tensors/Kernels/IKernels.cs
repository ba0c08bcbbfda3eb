namespace Amphista.Tensors.Kernels;

/// <summary>
/// The operations a Llama forward pass and the drafters need, and the backend seam: the model,
/// drafters and decoders allocate their buffers here and move rows only through these calls, so the
/// same code runs on the host or on a device. Implementations: <see cref="ReferenceKernels"/> (plain
/// loops, the specification), <see cref="CpuKernels"/> (SIMD and threads), and
/// GpuBackend in the Amphista.Tensors.Gpu package (ILGPU; tensors in device memory, weights uploaded on first use).
/// Every implementation must be batch-invariant: row r of a T-row call is bit-identical to a 1-row
/// call on row r, and results do not depend on the thread count.
/// The data-movement members have host implementations here, which the CPU kernels use as they are; so do the
/// fused members (a decoder layer's steps that a device runs as one launch each), as the sequence of the plain
/// operations they stand for. A backend that fuses them must give exactly that sequence's bits.
/// Shapes: T rows (tokens), D model width, O output features, F MLP width, S cache slots,
/// H query heads, Hkv key/value heads, Dh head width, V vocabulary.
/// </summary>
public interface IKernels
{
    /// <summary>y [T, O] = x [T, D] · W [O, D]ᵀ.</summary>
    void MatMul(Tensor x, WeightMatrix w, Tensor y);

    /// <summary>x [T, N] += delta [T, N] (the residual connection).</summary>
    void Add(Tensor x, Tensor delta);

    /// <summary>x [T, N] += bias [N] on every row.</summary>
    void AddBias(Tensor x, float[] bias);

    /// <summary>y [T, N] = SiLU(x) = x / (1 + e^-x).</summary>
    void Silu(Tensor x, Tensor y);

    /// <summary>y [T, D] = x / sqrt(mean(x²) + eps) * weight [D], per row.</summary>
    void RmsNorm(Tensor x, float[] weight, float eps, Tensor y);

    /// <summary>Rotates x [T, n·Dh] in place, row t at positions[t], every head alike.</summary>
    void Rope(Tensor x, ReadOnlySpan<int> positions, RopeTable table);

    /// <summary>y [T, F] = SiLU(gate) * up, SiLU(g) = g / (1 + e^-g).</summary>
    void SwiGlu(Tensor gate, Tensor up, Tensor y);

    /// <summary>x [T, N] = softmax of each row, in place (max subtracted first).</summary>
    void Softmax(Tensor x);

    /// <summary>
    /// y [T, H·Dh] = softmax(q kᵀ / sqrt(Dh) over the visible slots) v, for q [T, H·Dh] against
    /// keys and values k, v [≥S, Hkv·Dh]; query head h reads key/value head h / (H / Hkv).
    /// </summary>
    void Attention(Tensor q, Tensor k, Tensor v, AttentionMask mask, int headDim, Tensor y);

    /// <summary>
    /// ys[i] [T, O_i] = RMSNorm(x [T, D]) · W_i [O_i, D]ᵀ for each i: the products one normed input feeds (a layer's
    /// q, k and v). normed [T, D] is working memory, holding RMSNorm(x) afterwards or left as it was.
    /// </summary>
    void RmsNormMatMul(Tensor x, float[] weight, float eps, Tensor normed, ReadOnlySpan<WeightMatrix> ws, ReadOnlySpan<Tensor> ys)
    {
        if (ws.Length != ys.Length) throw new ArgumentException($"{ws.Length} weight matrices for {ys.Length} outputs");
        RmsNorm(x, weight, eps, normed);
        for (int i = 0; i < ws.Length; i++) MatMul(normed, ws[i], ys[i]);
    }

    /// <summary>
    /// y [T, F] = SiLU(h · Gate [F, D]ᵀ) ⊙ (h · Up [F, D]ᵀ) with h = RMSNorm(x [T, D]): a SwiGLU MLP's first half.
    /// normed [T, D] and up [T, F] are working memory.
    /// </summary>
    void RmsNormSwiGlu(Tensor x, float[] weight, float eps, Tensor normed, WeightMatrix gate, WeightMatrix up, Tensor y, Tensor upRows)
    {
        RmsNorm(x, weight, eps, normed);
        MatMul(normed, gate, y);
        MatMul(normed, up, upRows);
        SwiGlu(y, upRows, y);
    }

    /// <summary>x [T, O] += a [T, D] · W [O, D]ᵀ (a residual update); delta [T, O] is working memory.</summary>
    void MatMulAdd(Tensor a, WeightMatrix w, Tensor x, Tensor delta)
    {
        MatMul(a, w, delta);
        Add(x, delta);
    }

    /// <summary>
    /// Rotates q [T, H·Dh] and k [T, Hkv·Dh] at positions [T], then stores k and v [T, Hkv·Dh] at rows
    /// firstSlot..firstSlot+T-1 of the caches kCache, vCache [C, Hkv·Dh]. k's rows are working memory, holding the
    /// rotated keys afterwards or left as they were.
    /// </summary>
    void RopeAndCache(Tensor q, Tensor k, Tensor v, ReadOnlySpan<int> positions, RopeTable rope, Tensor kCache, Tensor vCache, int firstSlot)
    {
        Rope(q, positions, rope);
        Rope(k, positions, rope);
        Copy(k, 0, kCache, firstSlot, k.Rows);
        Copy(v, 0, vCache, firstSlot, v.Rows);
    }

    /// <summary>Index of the largest value; the lowest index wins ties.</summary>
    int Argmax(ReadOnlySpan<float> x);

    /// <summary>The indices [k] of the k largest values, largest first; lower index first on ties.</summary>
    void TopK(ReadOnlySpan<float> x, Span<int> indices);

    /// <summary>A zeroed buffer [rows, cols] in this backend's memory.</summary>
    Tensor Allocate(int rows, int cols) => new(rows, cols);

    /// <summary>
    /// dst rows dstRow.. [rows, ·], columns dstCol..dstCol+src.Cols-1 = src rows srcRow.. [rows, src.Cols]:
    /// cache writes and moves, row extraction, and placing a block of columns. The ranges must not overlap.
    /// </summary>
    void Copy(Tensor src, int srcRow, Tensor dst, int dstRow, int rows, int dstCol = 0)
    {
        Shapes.CheckCopy(src, srcRow, dst, dstRow, rows, dstCol);
        for (int r = 0; r < rows; r++) src.Row(srcRow + r).CopyTo(dst.Row(dstRow + r)[dstCol..]);
    }

    /// <summary>
    /// For i = 0, 1, ... in order, dst row to[i] = src row from[i] (src, dst [·, N]; src may be dst, and a later
    /// copy then reads what an earlier one wrote): cache slots moved into place, accepted rows gathered.
    /// </summary>
    void CopyRows(Tensor src, ReadOnlySpan<int> from, Tensor dst, ReadOnlySpan<int> to)
    {
        if (from.Length != to.Length || src.Cols != dst.Cols)
            throw new ArgumentException($"copy of {from.Length} rows of {src} to {to.Length} rows of {dst}");
        for (int i = 0; i < from.Length; i++) Copy(src, from[i], dst, to[i], 1);
    }

    /// <summary>dst [T, ·] row t, columns dstCol..dstCol+D-1 = table [V, D] row ids[t] widened to float32 (embedding lookup).</summary>
    void Gather(WeightMatrix table, ReadOnlySpan<int> ids, Tensor dst, int dstCol = 0)
    {
        Shapes.CheckGather(table, ids, dst, dstCol);
        for (int t = 0; t < ids.Length; t++) table.ReadRow(ids[t], dst.Row(t).Slice(dstCol, table.Cols));
    }

    /// <summary>Argmax of row r of x [T, N] (lowest index on ties); only the index comes back to the host.</summary>
    int Argmax(Tensor x, int r) => Argmax(x.Row(r));

    /// <summary>Top-k indices of row r of x [T, N], as <see cref="TopK(ReadOnlySpan{float}, Span{int})"/>.</summary>
    void TopK(Tensor x, int r, Span<int> indices) => TopK(x.Row(r), indices);

    /// <summary>indices [T·k]: the top-k of every row of x [T, N], row r's at r·k; a device brings them back at once.</summary>
    void TopKOfRows(Tensor x, int k, Span<int> indices)
    {
        if (indices.Length != x.Rows * k) throw new ArgumentException($"{indices.Length} indices for the top-{k} of each row of {x}");
        for (int r = 0; r < x.Rows; r++) TopK(x, r, indices.Slice(r * k, k));
    }

    /// <summary>
    /// Whether reading a result on the host waits for queued work and a transfer (a device): callers then read what
    /// they need together (<see cref="TopKOfRows"/>) rather than row by row.
    /// </summary>
    bool HostReadsWait => false;

    /// <summary>dst [T, N] = host values [T·N] (inputs and learned vectors kept as tensors).</summary>
    void Upload(ReadOnlySpan<float> values, Tensor dst)
    {
        Shapes.CheckLength(values.Length, dst);
        values.CopyTo(dst.Span);
    }

    /// <summary>Waits until every queued operation has finished (timing); the host kernels finish before they return.</summary>
    void Synchronize()
    {
    }

    /// <summary>host [T·N] = src [T, N], after every queued operation that writes src.</summary>
    void Download(Tensor src, Span<float> host)
    {
        Shapes.CheckLength(host.Length, src);
        src.Span.CopyTo(host);
    }

    /// <summary>A new host tensor [T, N] (its Data exactly T·N long) holding src, through <see cref="Download"/>.</summary>
    Tensor ToHost(Tensor src)
    {
        var host = new Tensor(src.Rows, src.Cols);
        Download(src, host.Span);
        return host;
    }
}
