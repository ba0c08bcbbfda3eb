using Amphista.Tensors;
using Amphista.Training.Core;

namespace Amphista.Training.Layers;

/// <summary>
/// A trainable linear map (nn.Linear): y [T, O] = x [T, D] · Wᵀ + b, W [O, D], b [1, O].
/// Backward, given dy [T, O]: dW += dyᵀ x, db += Σ_t dy[t], dx += dy W. The input x is the only
/// activation backward needs, so the caller keeps it rather than a cache record.
/// Forward uses <see cref="Gemm"/> (dot products of rows); backward uses <see cref="OuterGemm"/>, which
/// reads dy column-wise and W as stored, so no transpose is copied. Every element has a fixed order.
/// </summary>
public static class Linear
{
    public static Tensor Forward(Tensor x, Parameter w, Parameter? b)
    {
        CheckShapes(x, w, b);
        var y = new Tensor(x.Rows, w.Rows);   // [T, O]
        Gemm.MultiplyTransposed(x.Data, w.Value.Data, y.Data, x.Rows, w.Rows, w.Cols, accumulate: false);
        if (b is not null)
            for (int t = 0; t < y.Rows; t++)
            {
                var row = y.Row(t);
                for (int o = 0; o < row.Length; o++) row[o] += b.Value.Data[o];
            }
        return y;
    }

    /// <summary>Adds into w.Grad, b.Grad and, when given, dx [T, D]; dy [T, O] is the output gradient.</summary>
    public static void Backward(Tensor x, Parameter w, Parameter? b, Tensor dy, Tensor? dx)
    {
        CheckShapes(x, w, b);
        if (dy.Rows != x.Rows || dy.Cols != w.Rows) throw new ArgumentException($"dy {dy} for y [{x.Rows}, {w.Rows}]");
        int T = x.Rows, D = w.Cols, O = w.Rows;
        OuterGemm.MultiplyTransposedA(dy.Data, x.Data, w.Grad.Data, O, D, T);
        if (b is not null)
            for (int t = 0; t < T; t++)
            {
                ReadOnlySpan<float> row = dy.Row(t);
                for (int o = 0; o < O; o++) b.Grad.Data[o] += row[o];
            }
        if (dx is null) return;
        if (dx.Rows != T || dx.Cols != D) throw new ArgumentException($"dx {dx} for x {x}");
        OuterGemm.Multiply(dy.Data, w.Value.Data, dx.Data, T, D, O);
    }

    private static void CheckShapes(Tensor x, Parameter w, Parameter? b)
    {
        if (x.Cols != w.Cols) throw new ArgumentException($"x {x} does not match {w}");
        if (b is not null && (b.Rows != 1 || b.Cols != w.Rows)) throw new ArgumentException($"bias {b} does not match {w}");
    }
}
