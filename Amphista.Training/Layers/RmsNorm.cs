using Amphista.Tensors;
using Amphista.Training.Core;

namespace Amphista.Training.Layers;

/// <summary>x [T, D] and r [T] = 1 / sqrt(mean(x²) + ε) per row: all that backward needs.</summary>
public sealed record RmsNormSaved(Tensor X, float[] InvRms);

/// <summary>
/// RMSNorm with gain (Zhang and Sennrich 2019, as Llama): y = g ⊙ (x · r), r = 1 / sqrt(mean(x²) + ε),
/// for x [T, D], g [1, D]. Forward is the inference kernel (IKernels.RmsNorm); r is kept as the
/// kernel computes it (the sum of squares in <see cref="Tensors.Kernels.ReductionOrder"/>). Backward,
/// per row with u = dy ⊙ g:
///   dx += r·u − x · r³ · (u·x) / D,   dg += Σ_t dy[t] ⊙ x[t] · r_t.
/// </summary>
public static class RmsNorm
{
    public static (Tensor Y, RmsNormSaved Saved) Forward(SequenceKernels k, Tensor x, Parameter gain, float eps)
    {
        Check(x, gain);
        var y = new Tensor(x.Rows, x.Cols);   // [T, D]
        k.Forward.RmsNorm(x, gain.Value.Data, eps, y);
        var invRms = new float[x.Rows];       // [T]
        for (int t = 0; t < x.Rows; t++) invRms[t] = 1f / MathF.Sqrt(k.Dot(x.Row(t), x.Row(t)) / x.Cols + eps);
        return (y, new RmsNormSaved(x, invRms));
    }

    /// <summary>Adds into the gain's gradient and dx [T, D]; dy [T, D] is the output gradient.</summary>
    public static void Backward(SequenceKernels k, RmsNormSaved saved, Parameter gain, Tensor dy, Tensor dx)
    {
        var x = saved.X;
        Check(x, gain);
        if (dy.Rows != x.Rows || dy.Cols != x.Cols || dx.Rows != x.Rows || dx.Cols != x.Cols)
            throw new ArgumentException($"dy {dy}, dx {dx} for x {x}");
        var g = gain.Value.Data;
        var dg = k.Grad(gain).Data;
        int D = x.Cols;
        for (int t = 0; t < x.Rows; t++)
        {
            ReadOnlySpan<float> row = x.Row(t), dyRow = dy.Row(t);
            var dxRow = dx.Row(t);
            float r = saved.InvRms[t];
            float ux = 0f;   // Σ_d dy_d g_d x_d
            for (int d = 0; d < D; d++) ux += dyRow[d] * g[d] * row[d];
            float coef = r * r * r * ux / D;
            for (int d = 0; d < D; d++)
            {
                dxRow[d] += r * g[d] * dyRow[d] - coef * row[d];
                dg[d] += dyRow[d] * row[d] * r;
            }
        }
    }

    private static void Check(Tensor x, Parameter gain)
    {
        if (gain.Rows != 1 || gain.Cols != x.Cols) throw new ArgumentException($"gain {gain} does not match x {x}");
    }
}
