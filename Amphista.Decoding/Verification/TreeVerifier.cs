using Amphista.Decoding.Trees;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Decoding.Verification;

/// <summary>
/// Tree verification (Medusa §2.1.2, "tree attention"): every node of the draft tree goes through
/// the base model in one pass. With n tokens committed (cache slots 0..n-1), node j sits at cache
/// slot n + j and position n + depth(j), and attends to the whole prefix and to its own ancestors
/// and itself (<see cref="TreeMask"/>). Keys are visited in slot order, which for a node is exactly the order token-by-token
/// decoding of its path would visit them, so its logits are bit-identical to that decoding's.
/// One verifier serves one generation over one sequence; it reuses its positions and mask each step.
/// </summary>
public sealed class TreeVerifier(LlamaModel model, SequenceState sequence, int maxNodes)
{
    private readonly AttentionMask mask = new(maxNodes, sequence.Cache.Capacity);   // [N, n + N]
    private int[] positions = new int[maxNodes];                          // [N]

    /// <summary>Runs tokens [N] (tokens[0] is the root) and returns their hidden states h [N, D].</summary>
    public Tensor Run(int committed, DraftTree tree, ReadOnlySpan<int> tokens)
    {
        if (tokens.Length != tree.Size)
            throw new ArgumentException($"{tokens.Length} tokens for a tree of {tree.Size} nodes");
        if (positions.Length < tree.Size) positions = new int[tree.Size];
        TreeMask.Fill(mask, tree, committed);
        for (int j = 0; j < tree.Size; j++) positions[j] = committed + tree.Depth[j];
        return model.Forward(sequence, tokens, positions.AsSpan(0, tree.Size), committed, mask);
    }

    /// <summary>
    /// Moves the accepted nodes' keys and values from their tree slots n + path[i] to the slots
    /// n + i where sequential decoding would have put them. path[i] >= i (breadth-first order), so
    /// moving in increasing i never overwrites a row still to be moved.
    /// </summary>
    public void Compact(int committed, IReadOnlyList<int> path)
    {
        Span<int> from = stackalloc int[path.Count], to = stackalloc int[path.Count];   // [moves]
        int moves = 0;
        for (int i = 0; i < path.Count; i++)
            if (path[i] != i) (from[moves], to[moves++]) = (committed + path[i], committed + i);
        if (moves > 0) sequence.Cache.MoveSlots(from[..moves], to[..moves]);
    }
}
