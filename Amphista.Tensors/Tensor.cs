namespace Amphista.Tensors;

/// <summary>
/// A float32 activation buffer with an explicit 2-D shape [Rows, Cols] (row-major). Every activation
/// in the project is a stack of row vectors (tokens, heads, tree nodes), so two dimensions suffice;
/// the shape comment where a Tensor is declared names what the rows and columns are.
/// </summary>
public sealed class Tensor
{
    public int Rows { get; }
    public int Cols { get; }
    public float[] Data { get; }

    public Tensor(int rows, int cols)
    {
        if (rows < 0 || cols < 0) throw new ArgumentException($"negative shape [{rows}, {cols}]");
        Rows = rows;
        Cols = cols;
        Data = new float[rows * cols];
    }

    public Tensor(int rows, int cols, float[] data)
    {
        if ((long)rows * cols != data.Length)
            throw new ArgumentException($"data of length {data.Length} does not match shape [{rows}, {cols}]");
        Rows = rows;
        Cols = cols;
        Data = data;
    }

    public Span<float> Row(int r)
    {
        if ((uint)r >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(r), $"row {r} outside [0, {Rows})");
        return Data.AsSpan(r * Cols, Cols);
    }

    public float this[int r, int c]
    {
        get => Data[r * Cols + c];
        set => Data[r * Cols + c] = value;
    }

    public override string ToString() => $"Tensor[{Rows}, {Cols}]";
}
