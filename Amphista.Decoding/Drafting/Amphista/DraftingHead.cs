using Amphista.Tensors;
using Amphista.Tensors.Kernels;

namespace Amphista.Decoding.Drafting.Amphista;

/// <summary>
/// The drafting heads (design note §4; SPEC §4), one per block output u_k [D]:
///   logits_k = W_lm RMSNorm_k(u_k + SiLU(W_k u_k + b_k)),   W_k [D, D], b_k [D], W_lm [V, D]
/// W_lm is the base model's LM head, shared and frozen, unless the head carries its own.
/// Head k (0-based) proposes x_{t+2+k}.
/// </summary>
public static class DraftingHead
{
    /// <summary>logits [K, V] for the block outputs u [K, D]; sharedLmHead [V, D] is the base model's.</summary>
    public static Tensor Forward(IKernels kernels, DraftingHeadWeights[] heads, float eps, Tensor u, WeightMatrix sharedLmHead)
    {
        var normed = Normed(kernels, heads, eps, u);              // [K, D]
        return Logits(kernels, heads, normed, sharedLmHead);      // [K, V]
    }

    /// <summary>Row k = RMSNorm_k(u_k + SiLU(W_k u_k + b_k)), [K, D].</summary>
    private static Tensor Normed(IKernels kernels, DraftingHeadWeights[] heads, float eps, Tensor u)
    {
        int d = u.Cols;
        var x = new Tensor(1, d);                  // [1, D]  u_k, then u_k + SiLU(W_k u_k + b_k)
        var pre = new Tensor(1, d);                // [1, D]  W_k u_k + b_k
        var act = new Tensor(1, d);                // [1, D]  SiLU(W_k u_k + b_k)
        var row = new Tensor(1, d);                // [1, D]  RMSNorm_k(x)
        var normed = new Tensor(heads.Length, d);  // [K, D]
        for (int k = 0; k < heads.Length; k++)
        {
            u.Row(k).CopyTo(x.Data);
            kernels.MatMul(x, heads[k].Linear, pre);
            kernels.AddBias(pre, heads[k].Bias);
            kernels.Silu(pre, act);
            kernels.Add(x, act);
            kernels.RmsNorm(x, heads[k].Norm, eps, row);
            row.Data.CopyTo(normed.Row(k));
        }
        return normed;
    }

    /// <summary>
    /// logits [K, V]. With the LM head shared, one [K, V] product reads W_lm once for all heads
    /// (decode is bound by weight reads); the kernels being batch-invariant, each row has the same
    /// bits as a product of its own.
    /// </summary>
    private static Tensor Logits(IKernels kernels, DraftingHeadWeights[] heads, Tensor normed, WeightMatrix sharedLmHead)
    {
        var logits = new Tensor(normed.Rows, sharedLmHead.Rows);  // [K, V]
        if (heads.All(h => h.LmHead is null))
        {
            kernels.MatMul(normed, sharedLmHead, logits);
            return logits;
        }
        var row = new Tensor(1, normed.Cols);                     // [1, D]
        var rowLogits = new Tensor(1, sharedLmHead.Rows);         // [1, V]
        for (int k = 0; k < heads.Length; k++)
        {
            normed.Row(k).CopyTo(row.Data);
            kernels.MatMul(row, heads[k].LmHead ?? sharedLmHead, rowLogits);
            rowLogits.Data.CopyTo(logits.Row(k));
        }
        return logits;
    }
}
