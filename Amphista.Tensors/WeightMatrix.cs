namespace Amphista.Tensors;

/// <summary>
/// A weight matrix W [O, D] (row-major, as Hugging Face stores nn.Linear weights [out, in]).
/// Kept as stored when that is float32 or bfloat16: decode reads every weight once per token, so
/// bf16 halves the bytes read, and widening bf16 to float32 is exact (a 16-bit shift). float16 is
/// widened to float32 at load (exact) because bf16 and f32 are the two paths the kernels carry.
/// </summary>
public sealed class WeightMatrix
{
    public int Rows { get; }          // O
    public int Cols { get; }          // D
    public DType Type { get; }        // F32 or BF16
    public float[]? F32 { get; }      // [O, D] when Type == F32
    public ushort[]? BF16 { get; }    // [O, D] bf16 bits when Type == BF16

    private WeightMatrix(int rows, int cols, DType type, float[]? f32, ushort[]? bf16)
    {
        Rows = rows;
        Cols = cols;
        Type = type;
        F32 = f32;
        BF16 = bf16;
    }

    public static WeightMatrix FromF32(int rows, int cols, float[] data)
    {
        CheckLength(rows, cols, data.Length);
        return new WeightMatrix(rows, cols, DType.F32, data, null);
    }

    public static WeightMatrix FromBF16(int rows, int cols, ushort[] data)
    {
        CheckLength(rows, cols, data.Length);
        return new WeightMatrix(rows, cols, DType.BF16, null, data);
    }

    /// <summary>
    /// This matrix stored as type: bf16 rounds each float32 to nearest even (what torch's
    /// .to(bfloat16) does), float32 widens exactly; the same type returns this matrix.
    /// </summary>
    public WeightMatrix As(DType type)
    {
        if (type == Type) return this;
        if (type == DType.BF16)
        {
            var bits = new ushort[F32!.Length];
            for (int i = 0; i < bits.Length; i++) bits[i] = DTypes.SingleToBF16(F32[i]);
            return FromBF16(Rows, Cols, bits);
        }
        if (type != DType.F32) throw new ArgumentException($"weights are kept as F32 or BF16, not {type}");
        var data = new float[BF16!.Length];
        for (int i = 0; i < data.Length; i++) data[i] = DTypes.BF16ToSingle(BF16[i]);
        return FromF32(Rows, Cols, data);
    }

    /// <summary>Bytes one full read of the matrix costs (the decode-time memory traffic).</summary>
    public long ByteSize => (long)Rows * Cols * DTypes.SizeOf(Type);

    /// <summary>Row r widened to float32 into dst [D].</summary>
    public void ReadRow(int r, Span<float> dst)
    {
        if ((uint)r >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(r), $"row {r} outside [0, {Rows})");
        if (F32 is not null)
        {
            F32.AsSpan(r * Cols, Cols).CopyTo(dst);
            return;
        }
        var src = BF16!.AsSpan(r * Cols, Cols);
        for (int i = 0; i < src.Length; i++) dst[i] = DTypes.BF16ToSingle(src[i]);
    }

    /// <summary>Element (r, c) widened to float32: the reference kernels' one access path.</summary>
    public float this[int r, int c] => F32 is not null ? F32[r * Cols + c] : DTypes.BF16ToSingle(BF16![r * Cols + c]);

    private static void CheckLength(int rows, int cols, int length)
    {
        if (rows <= 0 || cols <= 0 || (long)rows * cols != length)
            throw new ArgumentException($"weight data of length {length} does not match shape [{rows}, {cols}]");
    }
}
