using System.Runtime.CompilerServices;

namespace Amphista.Tensors;

/// <summary>Element types met in checkpoints. Compute is always float32.</summary>
public enum DType { F32, F16, BF16, I64, F64 }

public static class DTypes
{
    public static int SizeOf(DType t) => t switch
    {
        DType.F32 => 4,
        DType.F16 => 2,
        DType.BF16 => 2,
        DType.I64 => 8,
        DType.F64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    /// <summary>bfloat16 is the top half of a float32: widening is a shift, exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float BF16ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>Round to nearest even, as PyTorch's float32 -> bfloat16 conversion does.</summary>
    public static ushort SingleToBF16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x40);
        uint roundingBias = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }
}
