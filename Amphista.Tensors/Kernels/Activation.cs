namespace Amphista.Tensors.Kernels;

/// <summary>The scalar activation every kernel set shares, so reference and fast SiLU agree bit for bit.</summary>
internal static class Activation
{
    /// <summary>SiLU(g) = g / (1 + e^-g), with the scalar exp (never a length-dependent vector path).</summary>
    public static float Silu(float g) => g / (1f + MathF.Exp(-g));
}
