using Amphista.Decoding.Trees;
using Amphista.Tensors;

namespace Amphista.Decoding.Verification;

/// <summary>
/// The tree attention mask (Medusa §2.1.2, "tree attention"; SPEC §3b). With n tokens committed in
/// cache slots 0..n-1 and the tree's N nodes in slots n..n+N-1, query row j (node j) sees
///   M[j, s]     = 1 for every s &lt; n                                  (the committed prefix)
///   M[j, n + a] = 1 if node a is node j or an ancestor of it, else 0   (its own path)
/// so each node attends to exactly the tokens its path would have seen decoded one by one. A chain is
/// the causal mask's special case: attention is one routine, and only this mask differs.
/// </summary>
public static class TreeMask
{
    /// <summary>Makes mask the [N, n + N] tree mask of tree after n = committed tokens.</summary>
    public static void Fill(AttentionMask mask, DraftTree tree, int committed)
    {
        mask.Reset(tree.Size, committed + tree.Size);
        for (int j = 0; j < tree.Size; j++)
        {
            mask.ShowPrefix(j, committed);
            for (int a = 0; a <= j; a++) mask[j, committed + a] = tree.IsAncestorOrSelf(a, j);
        }
    }
}
