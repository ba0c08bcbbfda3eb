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

    public Acceptance Accept(LlamaModel model, DraftTree tree, int[] tokens, Tensor hidden)
    {
        var path = new List<int> { 0 };
        while (true)
        {
            int node = path[^1];
            int next = model.Kernels.Argmax(model.Logits(hidden, node).Row(0));
            int child = FindChild(tree, tokens, node, next);
            if (child < 0) return new Acceptance([.. path], next);
            path.Add(child);
        }
    }

    private static int FindChild(DraftTree tree, int[] tokens, int node, int token)
    {
        foreach (int child in tree.Children[node])
            if (tokens[child] == token) return child;
        return -1;
    }
}
