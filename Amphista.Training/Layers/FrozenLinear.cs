using Amphista.Tensors;
using Amphista.Training.Core;

namespace Amphista.Training.Layers;

/// <summary>
/// A frozen base-model matrix W [O, D] (f32 or bf16): the shared LM head y [T, O] = x [T, D] · Wᵀ,
/// whose backward is only dx += dy W, and the token embedding lookup y[t] = W[token_t] (integer
/// inputs, so nothing flows back). The matrix is copied to a float32 array once here (bf16 widened
/// exactly; the products then run on one f32 path over a managed array, whether the weights were
/// held in one or read in place from a mapped file): O·D floats, 49 MB for V = 32000, D = 384.
/// </summary>
public sealed class FrozenLinear
{
    private readonly float[] weight;       // [O, D]
    private readonly WeightMatrix matrix;  // [O, D] a view of weight for the forward kernels

    public int Rows { get; }   // O
    public int Cols { get; }   // D

    public FrozenLinear(WeightMatrix w)
    {
        Rows = w.Rows;
        Cols = w.Cols;
        weight = w.ToF32();
        matrix = WeightMatrix.FromF32(Rows, Cols, weight);
    }

    public Tensor Forward(SequenceKernels k, Tensor x)
    {
        if (x.Cols != Cols) throw new ArgumentException($"x {x} does not match frozen W [{Rows}, {Cols}]");
        var y = new Tensor(x.Rows, Rows);   // [T, O]
        k.Forward.MatMul(x, matrix, y);
        return y;
    }

    /// <summary>dx [T, D] += dy [T, O] · W.</summary>
    public void Backward(SequenceKernels k, Tensor dy, Tensor dx)
    {
        if (dy.Cols != Rows || dx.Cols != Cols || dy.Rows != dx.Rows)
            throw new ArgumentException($"dy {dy}, dx {dx} do not match frozen W [{Rows}, {Cols}]");
        k.MultiplyAccumulate(dy.Data, weight, dx.Data, dy.Rows, Cols, Rows);
    }

    /// <summary>y [T, D]: row t is W[tokens[t]].</summary>
    public Tensor Lookup(ReadOnlySpan<int> tokens)
    {
        var y = new Tensor(tokens.Length, Cols);   // [T, D]
        for (int t = 0; t < tokens.Length; t++)
        {
            if ((uint)tokens[t] >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(tokens), $"token {tokens[t]} outside [0, {Rows})");
            weight.AsSpan(tokens[t] * Cols, Cols).CopyTo(y.Row(t));
        }
        return y;
    }
}
