using Amphista.Tensors;
using Amphista.Tensors.Kernels;

namespace Amphista.Decoding.Drafting.Amphista;

/// <summary>
/// Feature fusion (Li et al. 2025; SPEC §4):
///   f_i = W_fuse [h_i ; E(x_{i+1})],   W_fuse [D, 2D], h_i [D], E [V, D]
/// h_i is the base model's final normed hidden state at committed position i and x_{i+1} the token
/// that follows it; at the last position that is the base model's own next token, so the draft
/// knows which token the base just chose. E is the base model's embedding, frozen and shared.
/// </summary>
public static class FeatureFusion
{
    /// <summary>
    /// fused [T, D] for hidden states h [T, D] and the tokens [T] that follow them; joined [T, 2D]
    /// is working space for [h_i ; E(x_{i+1})].
    /// </summary>
    public static void Forward(IKernels kernels, WeightMatrix fusion, WeightMatrix embedding,
        Tensor hidden, ReadOnlySpan<int> followingTokens, Tensor joined, Tensor fused)
    {
        kernels.Copy(hidden, 0, joined, 0, hidden.Rows);                          // joined[:, :D] = h
        kernels.Gather(embedding, followingTokens, joined, dstCol: hidden.Cols);  // joined[:, D:] = E(x_{i+1})
        kernels.MatMul(joined, fusion, fused);
    }
}
