using Amphista.Decoding.Trees;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Decoding.Verification;

/// <summary>
/// Which drafted tokens to keep after a verification pass: Path lists accepted nodes from the root
/// (path[0] = 0), Next is the base model's token after the last of them (the next root).
/// </summary>
public readonly record struct Acceptance(int[] Path, int Next);

public interface IAcceptanceRule
{
    /// <summary>True when outputs equal greedy decoding's bit for bit.</summary>
    bool IsLossless { get; }

    /// <summary>hidden [N, D] are the tree nodes' final hidden states, tokens [N] their tokens.</summary>
    Acceptance Accept(LlamaModel model, DraftTree tree, int[] tokens, Tensor hidden);
}
