using Amphista.Decoding.Trees;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Decoding.Verification;

/// <summary>Which drafted tokens to keep after a verification pass.</summary>
public interface IAcceptanceRule
{
    /// <summary>True when outputs equal greedy decoding's bit for bit.</summary>
    bool IsLossless { get; }

    /// <summary>
    /// hidden [N, D] are the tree nodes' final hidden states (from a pass over cache), tokens [N]
    /// their tokens. Fills path with the accepted nodes from the root (path[0] = 0) and returns the
    /// base model's token after the last of them (the next root).
    /// </summary>
    int Accept(LlamaModel model, KvCache cache, DraftTree tree, ReadOnlySpan<int> tokens, Tensor hidden, List<int> path);
}
