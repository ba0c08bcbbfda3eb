using Amphista.Tensors;
using Amphista.Training.Core;

namespace Amphista.Training.Layers;

/// <summary>
/// A trainable linear map (nn.Linear): y [T, O] = x [T, D] · Wᵀ + b, W [O, D], b [1, O].
/// Backward, given dy [T, O]: dW += dyᵀ x, db += Σ_t dy[t], dx += dy W. The input x is the only
/// activation backward needs, so the caller keeps it rather than a saved record.
/// Forward is the inference product (IKernels.MatMul over the parameter's array); backward uses
/// <see cref="OuterGemm"/>, which reads dy column-wise and W as stored, so no transpose is copied.
/// Every element has a fixed order.
/// </summary>
public static class Linear
{
    public static Tensor Forward(SequenceKernels k, Tensor x, Parameter w, Parameter? b)
    {
        CheckShapes(x, w, b);
        var y = new Tensor(x.Rows, w.Rows);   // [T, O]
        k.Forward.MatMul(x, w.Matrix, y);
        if (b is not null) k.Forward.AddBias(y, b.Value.Data);
        return y;
    }

    /// <summary>Adds into the gradients of w and b and, when given, into dx [T, D]; dy [T, O] is the output gradient.</summary>
    public static void Backward(SequenceKernels k, Tensor x, Parameter w, Parameter? b, Tensor dy, Tensor? dx)
    {
        CheckShapes(x, w, b);
        if (dy.Rows != x.Rows || dy.Cols != w.Rows) throw new ArgumentException($"dy {dy} for y [{x.Rows}, {w.Rows}]");
        int T = x.Rows, D = w.Cols, O = w.Rows;
        k.MultiplyAccumulateTransposedA(dy.Data, x.Data, k.Grad(w).Data, O, D, T);
        if (b is not null)
        {
            var db = k.Grad(b).Data;
            for (int t = 0; t < T; t++)
            {
                ReadOnlySpan<float> row = dy.Row(t);
                for (int o = 0; o < O; o++) db[o] += row[o];
            }
        }
        if (dx is null) return;
        if (dx.Rows != T || dx.Cols != D) throw new ArgumentException($"dx {dx} for x {x}");
        k.MultiplyAccumulate(dy.Data, w.Value.Data, dx.Data, T, D, O);
    }

    private static void CheckShapes(Tensor x, Parameter w, Parameter? b)
    {
        if (x.Cols != w.Cols) throw new ArgumentException($"x {x} does not match {w}");
        if (b is not null && (b.Rows != 1 || b.Cols != w.Rows)) throw new ArgumentException($"bias {b} does not match {w}");
    }
}
