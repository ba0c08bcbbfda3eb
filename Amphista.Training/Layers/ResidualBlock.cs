using Amphista.Tensors;
using Amphista.Training.Core;

namespace Amphista.Training.Layers;

/// <summary>x [T, D] and the pre-activation z = W x + b [T, D]: all that backward needs.</summary>
public sealed record ResidualBlockCache(Tensor X, Tensor Pre);

/// <summary>
/// Medusa's ResBlock (and Amphista's head block): y = x + SiLU(W x + b), W [D, D], b [1, D], x, y [T, D].
/// Backward: dz = dy ⊙ SiLU'(z); dx += dy + dz W; dW += dzᵀ x; db += Σ_t dz.
/// </summary>
public static class ResidualBlock
{
    public static (Tensor Y, ResidualBlockCache Cache) Forward(Tensor x, Parameter w, Parameter b)
    {
        if (w.Rows != x.Cols) throw new ArgumentException($"residual block {w} must map x {x} to its own width");
        var pre = Linear.Forward(x, w, b);   // [T, D]
        var y = Activations.Silu(pre);       // [T, D], becomes x + SiLU(z)
        for (int i = 0; i < y.Data.Length; i++) y.Data[i] = x.Data[i] + y.Data[i];
        return (y, new ResidualBlockCache(x, pre));
    }

    /// <summary>Adds into w.Grad, b.Grad and dx [T, D]; dy [T, D] is the output gradient.</summary>
    public static void Backward(ResidualBlockCache cache, Parameter w, Parameter b, Tensor dy, Tensor dx)
    {
        var dPre = new Tensor(dy.Rows, dy.Cols);   // [T, D]
        Activations.SiluBackward(cache.Pre, dy, dPre);
        for (int i = 0; i < dx.Data.Length; i++) dx.Data[i] += dy.Data[i];
        Linear.Backward(cache.X, w, b, dPre, dx);
    }
}
