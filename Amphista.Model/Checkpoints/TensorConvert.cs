using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Amphista.Model.Checkpoints;

/// <summary>
/// Bulk conversions from a tensor's raw little-endian bytes (a span into the mapped file, possibly
/// unaligned) into managed arrays. Callers have already checked the byte length against the shape.
/// </summary>
internal static class TensorConvert
{
    public static float[] F32(ReadOnlySpan<byte> bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();

    public static ushort[] Bits16(ReadOnlySpan<byte> bytes) => MemoryMarshal.Cast<byte, ushort>(bytes).ToArray();

    public static long[] I64(ReadOnlySpan<byte> bytes) => MemoryMarshal.Cast<byte, long>(bytes).ToArray();

    public static double[] F64(ReadOnlySpan<byte> bytes) => MemoryMarshal.Cast<byte, double>(bytes).ToArray();

    /// <summary>float16 to float32 is exact; TensorPrimitives vectorises it.</summary>
    public static float[] F16ToF32(ReadOnlySpan<byte> bytes)
    {
        var src = MemoryMarshal.Cast<byte, Half>(bytes);
        var dst = new float[src.Length];
        TensorPrimitives.ConvertToSingle(src, dst);
        return dst;
    }

    /// <summary>bfloat16 is the top half of a float32, so widening is a 16-bit shift per element.</summary>
    public static float[] BF16ToF32(ReadOnlySpan<byte> bytes)
    {
        var src = MemoryMarshal.Cast<byte, ushort>(bytes);
        var dst = new float[src.Length];
        var dstBits = MemoryMarshal.Cast<float, uint>(dst.AsSpan());
        for (int i = 0; i < src.Length; i++) dstBits[i] = (uint)src[i] << 16;
        return dst;
    }
}
