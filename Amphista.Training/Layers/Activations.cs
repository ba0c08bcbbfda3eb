using Amphista.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Amphista.Training.Core;

namespace Amphista.Training.Layers;

/// <summary>
/// SiLU(x) = x σ(x), σ(x) = 1 / (1 + e^−x), with SiLU'(x) = σ(x) (1 + x (1 − σ(x))); and the SwiGLU
/// gate y = SiLU(g) ⊙ u (Shazeer 2020) with dg = dy ⊙ u ⊙ SiLU'(g), du = dy ⊙ SiLU(g).
/// Forward is the inference kernels' (IKernels.Silu, IKernels.SwiGlu); backward takes its
/// exponentials from the same <see cref="Tensors.Kernels.FixedExp"/>. All shapes [T, N], elementwise; backward adds
/// into the input gradients.
/// </summary>
public static class Activations
{
    public static Tensor Silu(SequenceKernels k, Tensor x)
    {
        var y = new Tensor(x.Rows, x.Cols);   // [T, N]
        k.Forward.Silu(x, y);
        return y;
    }

    /// <summary>dx [T, N] += dy ⊙ SiLU'(x).</summary>
    public static void SiluBackward(SequenceKernels k, Tensor x, Tensor dy, Tensor dx)
    {
        CheckSame(x, dy, dx);
        var (_, derivative) = SiluAndDerivative(k, x.Data);   // [T·N]
        TensorPrimitives.Multiply(dy.Data, derivative, derivative);
        TensorPrimitives.Add(dx.Data, derivative, dx.Data);
    }

    public static Tensor SwiGlu(SequenceKernels k, Tensor gate, Tensor up)
    {
        var y = new Tensor(gate.Rows, gate.Cols);   // [T, F]
        k.Forward.SwiGlu(gate, up, y);
        return y;
    }

    /// <summary>dGate, dUp [T, F] += the SwiGLU gradients for output gradient dy [T, F].</summary>
    public static void SwiGluBackward(SequenceKernels k, Tensor gate, Tensor up, Tensor dy, Tensor dGate, Tensor dUp)
    {
        CheckSame(gate, up, dy);
        CheckSame(gate, dGate, dUp);
        var (silu, derivative) = SiluAndDerivative(k, gate.Data);   // [T·F] twice
        var term = new float[dy.Data.Length];                        // [T·F]
        TensorPrimitives.Multiply(dy.Data, up.Data, term);
        TensorPrimitives.Multiply(term, derivative, term);
        TensorPrimitives.Add(dGate.Data, term, dGate.Data);
        TensorPrimitives.Multiply(dy.Data, silu, term);
        TensorPrimitives.Add(dUp.Data, term, dUp.Data);
    }

    /// <summary>
    /// SiLU(x) = x / (1 + e^−x) and SiLU'(x) = σ (1 + x (1 − σ)), σ = 1 / (1 + e^−x), elementwise over
    /// x [n], one rounding per operation in the order written (as the scalar formulas round).
    /// </summary>
    private static (float[] Silu, float[] Derivative) SiluAndDerivative(SequenceKernels k, float[] x)
    {
        var onePlus = new float[x.Length];       // [n] 1 + e^−x
        TensorPrimitives.Negate(x, onePlus);
        k.ExpShifted(onePlus, 0f);
        TensorPrimitives.Add(onePlus, 1f, onePlus);
        var silu = new float[x.Length];          // [n]
        TensorPrimitives.Divide(x, onePlus, silu);
        var sigma = new float[x.Length];         // [n]
        TensorPrimitives.Divide(1f, onePlus, sigma);
        var derivative = onePlus;                // [n] reused: 1 − σ, x (1 − σ), 1 + …, σ (…)
        TensorPrimitives.Subtract(1f, sigma, derivative);
        TensorPrimitives.Multiply(x, derivative, derivative);
        TensorPrimitives.Add(derivative, 1f, derivative);
        TensorPrimitives.Multiply(sigma, derivative, derivative);
        return (silu, derivative);
    }

    private static void CheckSame(Tensor a, Tensor b, Tensor c)
    {
        if (a.Rows != b.Rows || a.Cols != b.Cols || a.Rows != c.Rows || a.Cols != c.Cols)
            throw new ArgumentException($"elementwise shapes differ: {a}, {b}, {c}");
    }
}
