namespace Amphista.Tensors.Kernels;

/// <summary>
/// Shape checks shared by every kernel implementation: a wrong shape fails here, by name. Public so that a
/// backend in another assembly (Amphista.Tensors.Gpu) fails on the same shapes with the same messages.
/// </summary>
public static class Shapes
{
    public static void CheckMatMul(Tensor x, WeightMatrix w, Tensor y)
    {
        if (x.Cols != w.Cols || y.Rows != x.Rows || y.Cols != w.Rows)
            throw new ArgumentException($"matmul shapes: x {x}, W [{w.Rows}, {w.Cols}], y {y}");
    }

    public static void CheckRmsNorm(Tensor x, float[] weight, Tensor y)
    {
        if (weight.Length != x.Cols || y.Rows != x.Rows || y.Cols != x.Cols)
            throw new ArgumentException($"rmsnorm shapes: x {x}, weight [{weight.Length}], y {y}");
    }

    public static void CheckRope(Tensor x, ReadOnlySpan<int> positions, RopeTable table)
    {
        if (x.Cols % table.HeadDim != 0 || positions.Length != x.Rows)
            throw new ArgumentException($"rope shapes: x {x}, head_dim {table.HeadDim}, {positions.Length} positions");
        foreach (int p in positions)
            if ((uint)p >= (uint)table.MaxPositions)
                throw new InputException($"position {p} is outside the model's context of {table.MaxPositions} positions");
    }

    public static void CheckBias(Tensor x, float[] bias)
    {
        if (bias.Length != x.Cols) throw new ArgumentException($"bias [{bias.Length}] does not fit {x}");
    }

    public static void CheckTopK(ReadOnlySpan<float> x, Span<int> indices)
    {
        if (indices.Length == 0 || indices.Length > x.Length)
            throw new ArgumentException($"top-{indices.Length} of a vector of {x.Length} values");
    }

    public static void CheckSame(Tensor a, Tensor b, Tensor c)
    {
        if (a.Rows != b.Rows || a.Cols != b.Cols || a.Rows != c.Rows || a.Cols != c.Cols)
            throw new ArgumentException($"elementwise shapes differ: {a}, {b}, {c}");
    }

    public static void CheckAttention(Tensor q, Tensor k, Tensor v, AttentionMask mask, int headDim, Tensor y)
    {
        bool ok = headDim > 0 && q.Cols % headDim == 0 && k.Cols % headDim == 0 && k.Cols == v.Cols
            && k.Rows == v.Rows && (q.Cols / headDim) % (k.Cols / headDim) == 0
            && mask.Rows == q.Rows && mask.Slots <= k.Rows && y.Rows == q.Rows && y.Cols == q.Cols;
        if (!ok)
            throw new ArgumentException($"attention shapes: q {q}, k {k}, v {v}, mask [{mask.Rows}, {mask.Slots}], head_dim {headDim}, y {y}");
        for (int t = 0; t < mask.Rows; t++)
            if (!mask.Row(t).Contains(true))
                throw new ArgumentException($"attention mask row {t} sees no slot");
    }

    public static void CheckCopy(Tensor src, int srcRow, Tensor dst, int dstRow, int rows, int dstCol)
    {
        bool ok = rows >= 0 && srcRow >= 0 && dstRow >= 0 && dstCol >= 0 && srcRow + rows <= src.Rows
            && dstRow + rows <= dst.Rows && dstCol + src.Cols <= dst.Cols;
        if (!ok)
            throw new ArgumentException($"copy of {rows} rows from {src} row {srcRow} to {dst} row {dstRow}, column {dstCol}: out of bounds");
    }

    public static void CheckGather(WeightMatrix table, ReadOnlySpan<int> ids, Tensor dst, int dstCol)
    {
        if (ids.Length != dst.Rows || dstCol < 0 || dstCol + table.Cols > dst.Cols)
            throw new ArgumentException($"gather of {ids.Length} rows of [{table.Rows}, {table.Cols}] into {dst} at column {dstCol}");
        foreach (int id in ids)
            if ((uint)id >= (uint)table.Rows)
                throw new InputException($"token id {id} is outside the vocabulary [0, {table.Rows})");
    }

    public static void CheckLength(int length, Tensor t)
    {
        if (length != t.Rows * t.Cols) throw new ArgumentException($"{length} host values for {t}");
    }
}
