using Amphista.Tensors;
using Amphista.Training.Core;

namespace Amphista.Training.Layers;

/// <summary>x [T, D] and the pre-activation z = W x + b [T, D]: all that backward needs.</summary>
public sealed record ResidualBlockSaved(Tensor X, Tensor Pre);

/// <summary>
/// Medusa's ResBlock (and Amphista's head block): y = x + SiLU(W x + b), W [D, D], b [1, D], x, y [T, D].
/// Backward: dz = dy ⊙ SiLU'(z); dx += dy + dz W; dW += dzᵀ x; db += Σ_t dz.
/// </summary>
public static class ResidualBlock
{
    public static (Tensor Y, ResidualBlockSaved Saved) Forward(SequenceKernels k, Tensor x, Parameter w, Parameter b)
    {
        if (w.Rows != x.Cols) throw new ArgumentException($"residual block {w} must map x {x} to its own width");
        var pre = Linear.Forward(k, x, w, b);   // [T, D]
        var y = Activations.Silu(k, pre);       // [T, D], becomes x + SiLU(z)
        k.Forward.Add(y, x);
        return (y, new ResidualBlockSaved(x, pre));
    }

    /// <summary>Adds into the gradients of w and b and into dx [T, D]; dy [T, D] is the output gradient.</summary>
    public static void Backward(SequenceKernels k, ResidualBlockSaved saved, Parameter w, Parameter b, Tensor dy, Tensor dx)
    {
        var dPre = new Tensor(dy.Rows, dy.Cols);   // [T, D]
        Activations.SiluBackward(k, saved.Pre, dy, dPre);
        for (int i = 0; i < dx.Data.Length; i++) dx.Data[i] += dy.Data[i];
        Linear.Backward(k, saved.X, w, b, dPre, dx);
    }
}
