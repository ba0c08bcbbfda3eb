using Amphista.Decoding.Sampling;
using Amphista.Decoding.Trees;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Decoding.Verification;

/// <summary>
/// The lossless rule: walk the tree from the root with the plain decoder's own choice at each node
/// (the argmax, or the lossless sampler's pick at that node's next position), stepping to the child
/// whose token equals it; stop when no child matches. Siblings hold distinct tokens (distinct ranks
/// of one head's candidates), so at most one child matches and the walk is the longest accepted
/// path. A small tree's logits come from one product over all its nodes, which reads the LM head
/// [V, D] once (the product's four-row tiles make a few rows cost about what one costs); a large
/// tree's only for the nodes on the walk, one at a time. On a device (where each read of a result waits),
/// a greedy walk instead takes every node's logits in one product and every node's argmax in one read. The
/// kernels being batch-invariant, all give the same bits, so every choice equals the plain decoder's.
/// </summary>
public sealed class ExactAcceptance : IAcceptanceRule
{
    /// <summary>Trees of at most this many nodes get all their logits in one product.</summary>
    public const int AllLogitsUpTo = 8;

    public bool IsLossless => true;

    public int Accept(TreeStep step, Sampler sampler, List<int> path)
    {
        var (model, sequence, tree, hidden) = (step.Model, step.Sequence, step.Tree, step.Hidden);
        var tokens = step.Tokens;
        bool together = sampler.IsGreedy && model.Kernels.HostReadsWait;
        var all = together || tree.Size <= AllLogitsUpTo ? model.Logits(sequence, hidden) : null;   // [N, V]
        Span<int> argmax = together ? (tree.Size <= 1024 ? stackalloc int[tree.Size] : new int[tree.Size]) : [];   // [N]
        if (together) model.Kernels.TopKOfRows(all!, 1, argmax);
        path.Clear();
        path.Add(0);
        while (true)
        {
            int node = path[^1], position = step.RootPosition + tree.Depth[node] + 1;
            int next = together ? argmax[node]
                : all is null ? sampler.Next(model.Kernels, model.Logits(sequence, hidden, node..(node + 1)), 0, position)
                : sampler.Next(model.Kernels, all, node, position);
            int child = FindChild(tree, tokens, node, next);
            if (child < 0) return next;
            path.Add(child);
        }
    }

    private static int FindChild(DraftTree tree, ReadOnlySpan<int> tokens, int node, int token)
    {
        var children = tree.Children[node];
        for (int i = 0; i < children.Count; i++)
            if (tokens[children[i]] == token) return children[i];
        return -1;
    }
}
