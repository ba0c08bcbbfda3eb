using Amphista.Tensors;
using Amphista.Training.Core;

namespace Amphista.Training.Layers;

/// <summary>The activations a decoder layer's backward reads (shapes as in <see cref="TrainableDecoderLayer"/>).</summary>
public sealed record DecoderLayerSaved(
    RmsNormSaved AttentionNorm,   // x [T, D]
    Tensor H1,                    // [T, D]       RMSNorm(x)
    AttentionSaved Attention,     // rotated q [T, H·Dh], rotated k, v [T, Hkv·Dh], the mask [T, T]
    Tensor AttentionOut,          // [T, H·Dh]
    RmsNormSaved MlpNorm,         // x₁ [T, D]
    Tensor H2,                    // [T, D]       RMSNorm(x₁)
    Tensor GateOut,               // [T, F]
    Tensor UpOut,                 // [T, F]
    Tensor Swiglu,                // [T, F]
    int[] Positions);             // [T]

/// <summary>
/// A Llama decoder layer for training, built from the layer functions, whose forward steps are the
/// inference kernels: the same equations as Amphista.Model.Llama.DecoderLayer.Forward over the T positions of the call:
///   h₁ = RMSNorm(x);  q = RoPE(Wq h₁), k = RoPE(Wk h₁), v = Wv h₁;  a = Attention(q, k, v; mask)
///   x₁ = x + Wo a;  h₂ = RMSNorm(x₁);  y = x₁ + Down(SiLU(Gate h₂) ⊙ Up h₂)
/// for x, y [T, D]. Causal staged-adaptation layers pass token positions and AttentionMask.Causal(0, T);
/// the bi-directional auto-embedding block passes all-zero positions (no rotation) and AttentionMask.Full(K).
/// Backward runs the same chain in reverse; the residuals make dx = dy + (the branches' input gradients).
/// </summary>
public static class TrainableDecoderLayer
{
    public static (Tensor Y, DecoderLayerSaved Saved) Forward(SequenceKernels kernels, DecoderLayerParameters p, RopeTable rope, Tensor x,
        ReadOnlySpan<int> positions, AttentionMask mask)
    {
        if (x.Cols != p.Width || mask.Rows != x.Rows || mask.Slots != x.Rows)
            throw new ArgumentException($"decoder layer of width {p.Width} given x {x} and mask [{mask.Rows}, {mask.Slots}]");
        float eps = p.Shape.RmsNormEps;
        var (h1, normSaved1) = RmsNorm.Forward(kernels, x, p.AttentionNorm, eps);
        var q = Linear.Forward(kernels, h1, p.Wq, null);   // [T, H·Dh]
        var k = Linear.Forward(kernels, h1, p.Wk, null);   // [T, Hkv·Dh]
        var v = Linear.Forward(kernels, h1, p.Wv, null);   // [T, Hkv·Dh]
        Rope.Forward(kernels, q, positions, rope);
        Rope.Forward(kernels, k, positions, rope);
        var (attention, attentionSaved) = Attention.Forward(kernels, q, k, v, mask, p.Shape.HeadDim);
        var x1 = Linear.Forward(kernels, attention, p.Wo, null);   // [T, D], becomes x + Wo a
        kernels.Forward.Add(x1, x);

        var (h2, normSaved2) = RmsNorm.Forward(kernels, x1, p.MlpNorm, eps);
        var gate = Linear.Forward(kernels, h2, p.Gate, null);   // [T, F]
        var up = Linear.Forward(kernels, h2, p.Up, null);       // [T, F]
        var swiglu = Activations.SwiGlu(kernels, gate, up);     // [T, F]
        var y = Linear.Forward(kernels, swiglu, p.Down, null);  // [T, D], becomes x₁ + Down(…)
        kernels.Forward.Add(y, x1);
        return (y, new DecoderLayerSaved(normSaved1, h1, attentionSaved, attention, normSaved2, h2, gate, up, swiglu, positions.ToArray()));
    }

    /// <summary>Adds into every parameter's Grad and into dx [T, D]; dy [T, D] is the output gradient.</summary>
    public static void Backward(SequenceKernels kernels, DecoderLayerParameters p, RopeTable rope, DecoderLayerSaved c, Tensor dy, Tensor dx)
    {
        int T = dy.Rows, D = p.Width;
        var dx1 = new Tensor(T, D, dy.Data.ToArray());   // [T, D]  the residual passes dy straight through
        var dSwiglu = new Tensor(T, p.Down.Cols);        // [T, F]
        Linear.Backward(kernels, c.Swiglu, p.Down, null, dy, dSwiglu);
        var dGate = new Tensor(T, p.Gate.Rows);          // [T, F]
        var dUp = new Tensor(T, p.Up.Rows);              // [T, F]
        Activations.SwiGluBackward(kernels, c.GateOut, c.UpOut, dSwiglu, dGate, dUp);
        var dh2 = new Tensor(T, D);                      // [T, D]
        Linear.Backward(kernels, c.H2, p.Gate, null, dGate, dh2);
        Linear.Backward(kernels, c.H2, p.Up, null, dUp, dh2);
        RmsNorm.Backward(kernels, c.MlpNorm, p.MlpNorm, dh2, dx1);

        var dAttention = new Tensor(T, p.Wo.Cols);       // [T, H·Dh]
        Linear.Backward(kernels, c.AttentionOut, p.Wo, null, dx1, dAttention);
        var dq = new Tensor(T, p.Wq.Rows);               // [T, H·Dh]
        var dk = new Tensor(T, p.Wk.Rows);               // [T, Hkv·Dh]
        var dv = new Tensor(T, p.Wv.Rows);               // [T, Hkv·Dh]
        Attention.Backward(kernels, c.Attention, dAttention, dq, dk, dv);
        Rope.Backward(dq, c.Positions, rope);
        Rope.Backward(dk, c.Positions, rope);
        var dh1 = new Tensor(T, D);                      // [T, D]
        Linear.Backward(kernels, c.H1, p.Wq, null, dq, dh1);
        Linear.Backward(kernels, c.H1, p.Wk, null, dk, dh1);
        Linear.Backward(kernels, c.H1, p.Wv, null, dv, dh1);
        kernels.Forward.Add(dx, dx1);
        RmsNorm.Backward(kernels, c.AttentionNorm, p.AttentionNorm, dh1, dx);
    }
}
