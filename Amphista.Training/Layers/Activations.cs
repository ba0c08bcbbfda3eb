using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using Amphista.Training.Core;

namespace Amphista.Training.Layers;

/// <summary>
/// SiLU(x) = x σ(x), σ(x) = 1 / (1 + e^−x), with SiLU'(x) = σ(x) (1 + x (1 − σ(x))); and the SwiGLU
/// gate y = SiLU(g) ⊙ u (Shazeer 2020) with dg = dy ⊙ u ⊙ SiLU'(g), du = dy ⊙ SiLU(g).
/// Forward is the inference kernels' (IKernels.Silu, IKernels.SwiGlu); backward takes its
/// exponentials from the same <see cref="FixedExp"/>. All shapes [T, N], elementwise; backward adds
/// into the input gradients.
/// </summary>
public static class Activations
{
    public static float SiluDerivative(float x)
    {
        float s = 1f / (1f + FixedExp.Exp(-x));   // σ(x)
        return s * (1f + x * (1f - s));
    }

    public static Tensor Silu(SequenceKernels k, Tensor x)
    {
        var y = new Tensor(x.Rows, x.Cols);   // [T, N]
        k.Forward.Silu(x, y);
        return y;
    }

    /// <summary>dx [T, N] += dy ⊙ SiLU'(x).</summary>
    public static void SiluBackward(Tensor x, Tensor dy, Tensor dx)
    {
        CheckSame(x, dy, dx);
        for (int i = 0; i < x.Data.Length; i++) dx.Data[i] += dy.Data[i] * SiluDerivative(x.Data[i]);
    }

    public static Tensor SwiGlu(SequenceKernels k, Tensor gate, Tensor up)
    {
        var y = new Tensor(gate.Rows, gate.Cols);   // [T, F]
        k.Forward.SwiGlu(gate, up, y);
        return y;
    }

    /// <summary>dGate, dUp [T, F] += the SwiGLU gradients for output gradient dy [T, F].</summary>
    public static void SwiGluBackward(Tensor gate, Tensor up, Tensor dy, Tensor dGate, Tensor dUp)
    {
        CheckSame(gate, up, dy);
        CheckSame(gate, dGate, dUp);
        for (int i = 0; i < dy.Data.Length; i++)
        {
            float g = gate.Data[i];
            dGate.Data[i] += dy.Data[i] * up.Data[i] * SiluDerivative(g);
            dUp.Data[i] += dy.Data[i] * FixedExp.Silu(g);
        }
    }

    private static void CheckSame(Tensor a, Tensor b, Tensor c)
    {
        if (a.Rows != b.Rows || a.Cols != b.Cols || a.Rows != c.Rows || a.Cols != c.Cols)
            throw new ArgumentException($"elementwise shapes differ: {a}, {b}, {c}");
    }
}
