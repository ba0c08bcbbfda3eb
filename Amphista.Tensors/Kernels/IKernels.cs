namespace Amphista.Tensors.Kernels;

/// <summary>
/// The operations a Llama forward pass and the drafters need, and the backend seam: the model,
/// drafters and decoders allocate their buffers here and move rows only through these calls, so the
/// same code runs on the host or on a device. Implementations: <see cref="ReferenceKernels"/> (plain
/// loops, the specification), <see cref="CpuKernels"/> (SIMD and threads), and
/// GpuBackend in the Amphista.Tensors.Gpu package (ILGPU; tensors in device memory, weights uploaded on first use).
/// Every implementation must be batch-invariant: row r of a T-row call is bit-identical to a 1-row
/// call on row r, and results do not depend on the thread count.
/// The data-movement members have host implementations here, which the CPU kernels use as they are.
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
