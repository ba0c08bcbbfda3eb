using System.Runtime.Intrinsics;

namespace Amphista.Tensors.Kernels;

/// <summary>
/// The vector width the fast CPU kernels run at: 512, 256 or 128 bits, or 32 (scalar, one float at a
/// time). Every width computes the same bits (SPEC §2, "one reduction order"); a wider one is only
/// faster. <see cref="Widest"/> is chosen once at start-up from what this machine runs in hardware,
/// which the runtime's knobs can narrow (`DOTNET_EnableAVX512=0`, `DOTNET_PreferredVectorBitWidth=128`,
/// `DOTNET_EnableAVX2=0`, `DOTNET_EnableHWIntrinsic=0`).
/// </summary>
public readonly record struct VectorWidth(int Bits)
{
    public static readonly VectorWidth W512 = new(512), W256 = new(256), W128 = new(128), Scalar = new(32);

    /// <summary>Every width, widest first.</summary>
    public static IReadOnlyList<VectorWidth> All { get; } = [W512, W256, W128, Scalar];

    /// <summary>The widths this machine runs in hardware (vector widths whose operations are not emulated in software), widest first; scalar always.</summary>
    public static IReadOnlyList<VectorWidth> Accelerated { get; } = All.Where(w => w.IsAccelerated).ToArray();

    /// <summary>The width the fast kernels use unless told otherwise: the widest accelerated one.</summary>
    public static VectorWidth Widest { get; } = Accelerated[0];

    /// <summary>Lanes of one vector: 16, 8, 4 or 1 floats.</summary>
    public int Lanes => Bits / 32;

    /// <summary>
    /// Whether this width's vectors and their fused multiply-add run in hardware here (x64 without FMA,
    /// which the runtime emulates per lane, counts as not accelerated).
    /// </summary>
    public bool IsAccelerated => Bits switch
    {
        512 => Vector512.IsHardwareAccelerated && HardwareFma,
        256 => Vector256.IsHardwareAccelerated && HardwareFma,
        128 => Vector128.IsHardwareAccelerated && HardwareFma,
        _ => true,
    };

    /// <summary>"512", "256", "128" or "scalar".</summary>
    public override string ToString() => Bits == 32 ? "scalar" : Bits.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reads "512", "256", "128" or "scalar"; anything else is an input error naming the choices.</summary>
    public static VectorWidth Parse(string text) =>
        All.FirstOrDefault(w => w.ToString() == text.Trim().ToLowerInvariant()) is { Bits: > 0 } width
            ? width
            : throw new InputException($"unknown vector width '{text}' (expected 512, 256, 128 or scalar)");

    /// <summary>
    /// Whether the vector register file holds 32 registers (x64 with AVX-512, at any width; ARM64) rather
    /// than 16: what sizes a register tile so its accumulators do not spill.
    /// </summary>
    internal static bool ThirtyTwoRegisters =>
        System.Runtime.Intrinsics.X86.Avx512F.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported;

    private static bool HardwareFma =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;
}
