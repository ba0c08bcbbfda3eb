namespace Amphista.Tensors;

/// <summary>
/// A float32 activation buffer with an explicit 2-D shape [Rows, Cols] (row-major). Every activation
/// in the project is a stack of row vectors (tokens, heads, tree nodes), so two dimensions suffice;
/// the shape comment where a Tensor is declared names what the rows and columns are.
/// A working buffer is allocated once for the most rows a step can need and then used at each
/// step's row count (<see cref="Resize"/>), so the decode loop allocates nothing; Data may therefore
/// be longer than Rows × Cols, and <see cref="Span"/> is the live part.
/// </summary>
public sealed class Tensor
{
    public int Rows { get; private set; }
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

    /// <summary>The live elements [Rows · Cols].</summary>
    public Span<float> Span => Data.AsSpan(0, Rows * Cols);

    /// <summary>The most rows the buffer holds.</summary>
    public int Capacity => Cols == 0 ? Rows : Data.Length / Cols;

    /// <summary>Uses the first rows rows of the buffer from now on (the contents are kept).</summary>
    public Tensor Resize(int rows)
    {
        if (rows < 0 || rows > Capacity)
            throw new ArgumentOutOfRangeException(nameof(rows), $"{rows} rows do not fit a buffer of {Capacity} rows of {Cols}");
        Rows = rows;
        return this;
    }

    /// <summary>buffer at rows rows, replaced by a larger buffer first if it holds fewer.</summary>
    public static Tensor Ensure(ref Tensor buffer, int rows)
    {
        if (rows > buffer.Capacity) buffer = new Tensor(rows, buffer.Cols);
        return buffer.Resize(rows);
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
