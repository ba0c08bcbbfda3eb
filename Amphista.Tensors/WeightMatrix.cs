using System.Runtime.InteropServices;

namespace Amphista.Tensors;

/// <summary>
/// A weight matrix W [O, D] (row-major, as Hugging Face stores nn.Linear weights [out, in]).
/// Kept as stored when that is float32 or bfloat16: decode reads every weight once per token, so
/// bf16 halves the bytes read, and widening bf16 to float32 is exact (a 16-bit shift). float16 is
/// widened to float32 at load (exact) because bf16 and f32 are the two paths the kernels carry.
/// The elements are a managed array or, for a matrix read in place from a checkpoint, memory of a
/// mapped file: <see cref="ReadOnlyMemory{T}"/> serves both, so the kernels see one span either way.
/// </summary>
public sealed class WeightMatrix
{
    private readonly ReadOnlyMemory<float> f32;    // [O·D] when Type == F32
    private readonly ReadOnlyMemory<ushort> bf16;  // [O·D] bf16 bits when Type == BF16

    public int Rows { get; }          // O
    public int Cols { get; }          // D
    public DType Type { get; }        // F32 or BF16

    private WeightMatrix(int rows, int cols, DType type, ReadOnlyMemory<float> f32, ReadOnlyMemory<ushort> bf16)
    {
        Rows = rows;
        Cols = cols;
        Type = type;
        this.f32 = f32;
        this.bf16 = bf16;
    }

    public static WeightMatrix FromF32(int rows, int cols, ReadOnlyMemory<float> data)
    {
        CheckLength(rows, cols, data.Length);
        return new WeightMatrix(rows, cols, DType.F32, data, default);
    }

    public static WeightMatrix FromBF16(int rows, int cols, ReadOnlyMemory<ushort> data)
    {
        CheckLength(rows, cols, data.Length);
        return new WeightMatrix(rows, cols, DType.BF16, default, data);
    }

    /// <summary>The elements [O·D] of a float32 matrix.</summary>
    public ReadOnlySpan<float> F32 => Type == DType.F32 ? f32.Span : throw StoredAs(DType.F32);

    /// <summary>The bf16 bit patterns [O·D] of a bfloat16 matrix.</summary>
    public ReadOnlySpan<ushort> BF16 => Type == DType.BF16 ? bf16.Span : throw StoredAs(DType.BF16);

    /// <summary>The stored elements as little-endian bytes [O·D·size], as a safetensors file holds them.</summary>
    public ReadOnlySpan<byte> Bytes => Type == DType.F32 ? MemoryMarshal.AsBytes(F32) : MemoryMarshal.AsBytes(BF16);

    /// <summary>
    /// This matrix stored as type: bf16 rounds each float32 to nearest even (what torch's
    /// .to(bfloat16) does), float32 widens exactly; the same type returns this matrix.
    /// </summary>
    public WeightMatrix As(DType type)
    {
        if (type == Type) return this;
        if (type == DType.BF16)
        {
            var values = F32;
            var bits = new ushort[values.Length];
            for (int i = 0; i < bits.Length; i++) bits[i] = DTypes.SingleToBF16(values[i]);
            return FromBF16(Rows, Cols, bits);
        }
        if (type != DType.F32) throw new ArgumentException($"weights are kept as F32 or BF16, not {type}");
        return FromF32(Rows, Cols, ToF32());
    }

    /// <summary>All elements widened to float32 in a new array [O·D].</summary>
    public float[] ToF32()
    {
        if (Type == DType.F32) return F32.ToArray();
        var src = BF16;
        var data = new float[src.Length];
        for (int i = 0; i < data.Length; i++) data[i] = DTypes.BF16ToSingle(src[i]);
        return data;
    }

    /// <summary>Bytes one full read of the matrix costs (the decode-time memory traffic).</summary>
    public long ByteSize => (long)Rows * Cols * DTypes.SizeOf(Type);

    /// <summary>Row r widened to float32 into dst [D].</summary>
    public void ReadRow(int r, Span<float> dst)
    {
        if ((uint)r >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(r), $"row {r} outside [0, {Rows})");
        if (Type == DType.F32)
        {
            F32.Slice(r * Cols, Cols).CopyTo(dst);
            return;
        }
        var src = BF16.Slice(r * Cols, Cols);
        for (int i = 0; i < src.Length; i++) dst[i] = DTypes.BF16ToSingle(src[i]);
    }

    /// <summary>Element (r, c) widened to float32.</summary>
    public float this[int r, int c] => Type == DType.F32 ? F32[r * Cols + c] : DTypes.BF16ToSingle(BF16[r * Cols + c]);

    private InvalidOperationException StoredAs(DType wanted) =>
        new($"weight matrix [{Rows}, {Cols}] is stored as {Type}, not {wanted}");

    private static void CheckLength(int rows, int cols, int length)
    {
        if (rows <= 0 || cols <= 0 || (long)rows * cols != length)
            throw new ArgumentException($"weight data of length {length} does not match shape [{rows}, {cols}]");
    }
}
