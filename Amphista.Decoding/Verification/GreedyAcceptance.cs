using Amphista.Decoding.Trees;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Decoding.Verification;

/// <summary>
/// Greedy acceptance, the lossless rule: from the root, step to the child whose token equals the
/// argmax of the current node's logits; stop when no child matches. Siblings hold distinct tokens
/// (distinct ranks of one head's top-k), so at most one child matches and the walk is the longest
/// accepted path. Logits are computed only for the nodes on the walk.
/// </summary>
public sealed class GreedyAcceptance : IAcceptanceRule
{
    public bool IsLossless => true;

    public int Accept(LlamaModel model, KvCache cache, DraftTree tree, ReadOnlySpan<int> tokens, Tensor hidden, List<int> path)
    {
        path.Clear();
        path.Add(0);
        while (true)
        {
            int node = path[^1];
            int next = model.Kernels.Argmax(model.Logits(cache, hidden, node));
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
