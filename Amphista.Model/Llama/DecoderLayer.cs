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
    /// <summary>
    /// Updates the residual stream x [T, D] in place; writes the T new K/V rows at firstSlot.
    /// buffers hold the intermediate activations (any contents; overwritten).
    /// </summary>
    public static void Forward(IKernels kernels, DecoderLayerWeights w, LayerShape shape, RopeTable rope,
        Tensor x, LayerKvCache cache, ReadOnlySpan<int> positions, int firstSlot, AttentionMask mask, LayerBuffers buffers)
    {
        var s = buffers.Use(x.Rows);   // H [T, D], Q [T, H·Dh], K, V [T, Hkv·Dh], Attention [T, H·Dh], Delta [T, D]

        kernels.RmsNorm(x, w.AttentionNorm, shape.RmsNormEps, s.H);
        kernels.MatMul(s.H, w.Wq, s.Q);
        kernels.MatMul(s.H, w.Wk, s.K);
        kernels.MatMul(s.H, w.Wv, s.V);
        kernels.Rope(s.Q, positions, rope);
        kernels.Rope(s.K, positions, rope);
        cache.Write(firstSlot, s.K, s.V);
        kernels.Attention(s.Q, cache.K, cache.V, mask, shape.HeadDim, s.Attention);
        kernels.MatMul(s.Attention, w.Wo, s.Delta);
        kernels.Add(x, s.Delta);

        kernels.RmsNorm(x, w.MlpNorm, shape.RmsNormEps, s.H);
        Mlp(kernels, w, s);
        kernels.Add(x, s.Delta);
    }

    /// <summary>Delta [T, D] = Down(SiLU(Gate·H) ⊙ Up·H) for H [T, D], through Gate, Up [T, F].</summary>
    private static void Mlp(IKernels kernels, DecoderLayerWeights w, LayerBuffers s)
    {
        kernels.MatMul(s.H, w.Gate, s.Gate);
        kernels.MatMul(s.H, w.Up, s.Up);
        kernels.SwiGlu(s.Gate, s.Up, s.Gate);
        kernels.MatMul(s.Gate, w.Down, s.Delta);
    }
}
