using Amphista.Tensors;
using Amphista.Tensors.Kernels;

namespace Amphista.Decoding.Drafting.Amphista;

/// <summary>
/// The drafting heads (SPEC §4), one per block output u_k [D]:
///   logits_k = W_lm RMSNorm_k(u_k + SiLU(W_k u_k + b_k)),   W_k [D, D], b_k [D], W_lm [V, D]
/// W_lm is the base model's LM head, shared and frozen, unless the head carries its own.
/// Head k (0-based) proposes x_{t+2+k}.
/// </summary>
public static class DraftingHead
{
    /// <summary>
    /// logits [H, V] (buffers.Logits) of the first H heads, H = heads.Length ≤ K, for the block
    /// outputs u [K, D]; sharedLmHead is the base model's [V, D].
    /// </summary>
    public static Tensor Forward(IKernels kernels, ReadOnlySpan<DraftingHeadWeights> heads, float eps, Tensor u,
        WeightMatrix sharedLmHead, HeadBuffers buffers)
    {
        buffers.Normed.Resize(heads.Length);
        buffers.Logits.Resize(heads.Length);
        Normed(kernels, heads, eps, u, buffers);
        Logits(kernels, heads, sharedLmHead, buffers);
        return buffers.Logits;
    }

    /// <summary>Row k of buffers.Normed = RMSNorm_k(u_k + SiLU(W_k u_k + b_k)), [H, D].</summary>
    private static void Normed(IKernels kernels, ReadOnlySpan<DraftingHeadWeights> heads, float eps, Tensor u, HeadBuffers b)
    {
        for (int k = 0; k < heads.Length; k++)
        {
            kernels.Copy(u, k, b.X, 0, 1);
            kernels.MatMul(b.X, heads[k].Linear, b.Pre);
            kernels.AddBias(b.Pre, heads[k].Bias);
            kernels.Silu(b.Pre, b.Act);
            kernels.Add(b.X, b.Act);
            kernels.RmsNorm(b.X, heads[k].Norm, eps, b.Row);
            kernels.Copy(b.Row, 0, b.Normed, k, 1);
        }
    }

    /// <summary>
    /// logits [H, V]. With the LM head shared, one [H, V] product reads W_lm once for all heads
    /// (decode is bound by weight reads); the kernels being batch-invariant, each row has the same
    /// bits as a product of its own.
    /// </summary>
    private static void Logits(IKernels kernels, ReadOnlySpan<DraftingHeadWeights> heads, WeightMatrix sharedLmHead, HeadBuffers b)
    {
        if (SharedLmHead(heads))
        {
            kernels.MatMul(b.Normed, sharedLmHead, b.Logits);
            return;
        }
        for (int k = 0; k < heads.Length; k++)
        {
            kernels.Copy(b.Normed, k, b.X, 0, 1);
            kernels.MatMul(b.X, heads[k].LmHead ?? sharedLmHead, b.RowLogits);
            kernels.Copy(b.RowLogits, 0, b.Logits, k, 1);
        }
    }

    private static bool SharedLmHead(ReadOnlySpan<DraftingHeadWeights> heads)
    {
        foreach (var head in heads)
            if (head.LmHead is not null) return false;
        return true;
    }

    /// <summary>The heads' working buffers, made once per session.</summary>
    public sealed class HeadBuffers(IKernels kernels, int heads, int width, int vocab) : IDisposable
    {
        public Tensor X { get; } = kernels.Allocate(1, width);              // [1, D]  u_k, then u_k + SiLU(W_k u_k + b_k)
        public Tensor Pre { get; } = kernels.Allocate(1, width);            // [1, D]  W_k u_k + b_k
        public Tensor Act { get; } = kernels.Allocate(1, width);            // [1, D]  SiLU(W_k u_k + b_k)
        public Tensor Row { get; } = kernels.Allocate(1, width);            // [1, D]  RMSNorm_k(x)
        public Tensor Normed { get; } = kernels.Allocate(heads, width);     // [H ≤ K, D]
        public Tensor RowLogits { get; } = kernels.Allocate(1, vocab);      // [1, V]
        public Tensor Logits { get; } = kernels.Allocate(heads, vocab);     // [H ≤ K, V]

        public void Dispose()
        {
            foreach (var t in new[] { X, Pre, Act, Row, Normed, RowLogits, Logits }) t.Dispose();
        }
    }
}
