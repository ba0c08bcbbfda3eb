using Amphista.Decoding.Sampling;
using Amphista.Decoding.Trees;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Decoding.Verification;

/// <summary>Which drafted tokens to keep after a verification pass.</summary>
public interface IAcceptanceRule
{
    /// <summary>True when outputs equal the plain decoder's bit for bit.</summary>
    bool IsLossless { get; }

    /// <summary>
    /// Fills path with the accepted nodes of the verified tree from the root (path[0] = 0) and returns
    /// the base model's token after the last of them (the next root), chosen by sampler.
    /// </summary>
    int Accept(TreeStep step, Sampler sampler, List<int> path);
}

/// <summary>
/// A verified tree: hidden [N, D] are its nodes' final hidden states from a pass over Sequence, tokens [N]
/// their tokens, and the root sits at RootPosition (node j at RootPosition + depth j).
/// </summary>
public readonly record struct TreeStep(LlamaModel Model, SequenceState Sequence, DraftTree Tree, int[] TokenBuffer, Tensor Hidden, int RootPosition)
{
    public ReadOnlySpan<int> Tokens => TokenBuffer.AsSpan(0, Tree.Size);
}
