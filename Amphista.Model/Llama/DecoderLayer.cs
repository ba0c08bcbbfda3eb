using Amphista.Tensors;
using Amphista.Tensors.Kernels;

namespace Amphista.Model.Llama;

/// <summary>
/// A Llama decoder layer (pre-norm transformer block; Touvron et al. 2023, with grouped-query
/// attention, RoPE and a SwiGLU MLP):
///   x ← x + Wo · Attention(RoPE(Wq·RMSNorm(x)), RoPE(Wk·RMSNorm(x)), Wv·RMSNorm(x); mask)
///   x ← x + Down(SiLU(Gate·RMSNorm(x)) ⊙ Up·RMSNorm(x))
/// Used by the base model and by Amphista's Staged Adaptation Layers alike; the caller supplies
/// positions, cache slots and the mask, so the same code serves causal and tree passes.
/// </summary>
public static class DecoderLayer
{
    /// <summary>Updates the residual stream x [T, D] in place; writes the T new K/V rows at firstSlot.</summary>
    public static void Forward(IKernels kernels, DecoderLayerWeights w, LayerShape shape, RopeTable rope,
        Tensor x, LayerCache cache, ReadOnlySpan<int> positions, int firstSlot, AttentionMask mask)
    {
        int T = x.Rows;
        var h = new Tensor(T, x.Cols);                  // [T, D]
        var q = new Tensor(T, shape.QueryWidth);        // [T, H·Dh]
        var k = new Tensor(T, shape.KvWidth);           // [T, Hkv·Dh]
        var v = new Tensor(T, shape.KvWidth);           // [T, Hkv·Dh]
        var attention = new Tensor(T, shape.QueryWidth); // [T, H·Dh]
        var delta = new Tensor(T, x.Cols);              // [T, D]

        kernels.RmsNorm(x, w.AttentionNorm, shape.RmsNormEps, h);
        kernels.MatMul(h, w.Wq, q);
        kernels.MatMul(h, w.Wk, k);
        kernels.MatMul(h, w.Wv, v);
        kernels.Rope(q, positions, rope);
        kernels.Rope(k, positions, rope);
        cache.Write(firstSlot, k, v);
        kernels.Attention(q, cache.K, cache.V, mask, shape.HeadDim, attention);
        kernels.MatMul(attention, w.Wo, delta);
        kernels.Add(x, delta);

        kernels.RmsNorm(x, w.MlpNorm, shape.RmsNormEps, h);
        Mlp(kernels, w, h, delta);
        kernels.Add(x, delta);
    }

    /// <summary>y [T, D] = Down(SiLU(Gate·h) ⊙ Up·h) for h [T, D].</summary>
    private static void Mlp(IKernels kernels, DecoderLayerWeights w, Tensor h, Tensor y)
    {
        var gate = new Tensor(h.Rows, w.Gate.Rows);   // [T, F]
        var up = new Tensor(h.Rows, w.Up.Rows);       // [T, F]
        kernels.MatMul(h, w.Gate, gate);
        kernels.MatMul(h, w.Up, up);
        kernels.SwiGlu(gate, up, gate);
        kernels.MatMul(gate, w.Down, y);
    }
}
