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
    /// buffers hold the intermediate activations (any contents; overwritten). Each line is one fused step
    /// (<see cref="IKernels"/>), one launch on a device: the norm with the products it feeds, RoPE with the cache
    /// write, a product with the residual add or with SwiGLU.
    /// </summary>
    public static void Forward(IKernels kernels, DecoderLayerWeights w, LayerShape shape, RopeTable rope,
        Tensor x, LayerKvCache cache, ReadOnlySpan<int> positions, int firstSlot, AttentionMask mask, LayerBuffers buffers)
    {
        var s = buffers.Use(x.Rows);   // H [T, D], Q [T, H·Dh], K, V [T, Hkv·Dh], Attention [T, H·Dh], Delta [T, D], Gate, Up [T, F]

        kernels.RmsNormMatMul(x, w.AttentionNorm, shape.RmsNormEps, s.H, [w.Wq, w.Wk, w.Wv], [s.Q, s.K, s.V]);
        cache.Write(firstSlot, s.Q, s.K, s.V, positions, rope);
        kernels.Attention(s.Q, cache.K, cache.V, mask, shape.HeadDim, s.Attention);
        kernels.MatMulAdd(s.Attention, w.Wo, x, s.Delta);

        kernels.RmsNormSwiGlu(x, w.MlpNorm, shape.RmsNormEps, s.H, w.Gate, w.Up, s.Gate, s.Up);
        kernels.MatMulAdd(s.Gate, w.Down, x, s.Delta);
    }
}
