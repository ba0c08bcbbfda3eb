using Amphista.Decoding.Sampling;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Decoding.Drafting;

/// <summary>
/// A drafter proposes the tokens after the base model's next one. With x_1..x_t committed and
/// x_{t+1} (the tree's root) chosen by the base model, head k (0-based) guesses x_{t+2+k}.
/// </summary>
public interface IDrafter
{
    /// <summary>K, the number of drafting heads.</summary>
    int Heads { get; }

    /// <summary>"medusa", "amphista", "oracle", ...: reported in results.</summary>
    string Name { get; }

    /// <summary>Starts drafting one generation on this base model (fails if the drafter does not fit it).</summary>
    IDraftSession Begin(LlamaModel model);

    /// <summary>
    /// Multiply-adds of the drafter's weight products in one decoding step that commits
    /// committedRows positions and drafts heads 0..draftedHeads-1 once (<see cref="DraftCost"/>);
    /// attention score products, which grow with the context, are not counted.
    /// </summary>
    long MultiplyAddsPerStep(int committedRows, int draftedHeads);
}

/// <summary>The per-generation state of a drafter; Dispose frees its buffers (device memory on a device backend).</summary>
public interface IDraftSession : IDisposable
{
    /// <summary>
    /// Newly committed positions: their final normed hidden states h [n, D] from the base model's
    /// pass, their positions [n], and the token that follows each one (x_{i+1} for position i; for
    /// the last position that is the next root, chosen by the base model but not yet committed).
    /// </summary>
    void Commit(Tensor hidden, ReadOnlySpan<int> positions, ReadOnlySpan<int> followingTokens);

    /// <summary>
    /// candidates[k] = head k's top-k token ids [topK], best first, for the first heads heads
    /// (1..K): a tree of depth d reads only heads 0..d-1, and the later heads' products are not
    /// worth computing. Each head's candidates are the same whatever heads is. The arrays are the
    /// session's own, overwritten by the next Draft (a decoding loop allocates nothing). With perturbed,
    /// each head ranks its candidates by the sampler's perturbed scores instead of its logits.
    /// </summary>
    int[][] Draft(int heads, int topK, PerturbedCandidates? perturbed = null);
}
