using Amphista.Decoding.Trees;
using Amphista.Tensors;

namespace Amphista.Decoding.Tuning;

/// <summary>
/// The draft tree that maximises expected tokens per second on this machine (SPEC §6), by Medusa's
/// greedy construction with this machine's costs. A node on path (r_1..r_d) is accepted with
/// probability Π p[i][r_i] (heads treated as independent, as Medusa does), so a tree of nodes
/// yields E = 1 + Σ nodes Π p expected tokens per step. Nodes are added in decreasing order of that
/// probability, which keeps every prefix of the order a tree (a child is never likelier than its
/// parent). Each prefix of n nodes reaching depth d costs overhead(d) + curve(n + 1) greedy steps (the
/// step's work beyond its pass, which grows with the heads drafted, <see cref="DraftOverhead"/>, plus
/// one pass over the tree); the prefix with the most tokens per unit of time wins, or greedy decoding
/// itself when no tree beats one token per step.
/// </summary>
public static class HardwareAwareTree
{
    public sealed record Choice(DraftTree Tree, double ExpectedTokens, double RelativeTime)
    {
        /// <summary>Predicted tokens per second relative to greedy decoding (one token per one-token pass).</summary>
        public double PredictedSpeedup => ExpectedTokens / RelativeTime;
    }

    /// <param name="draftCost">A step's time beyond its verification pass, in greedy steps, by tree depth.</param>
    /// <param name="maxNodes">Largest tree considered, root included.</param>
    /// <param name="greedyAllowed">Whether greedy decoding itself (the root alone) may win; without it, the best tree of at least two nodes.</param>
    public static Choice Choose(AcceptanceProfile profile, PassCostCurve curve, DraftOverhead draftCost, int maxNodes, bool greedyAllowed = true)
    {
        var order = NodesByProbability(profile, maxNodes - 1);
        // Greedy decoding itself (no draft) is the bar to beat, unless it may not win.
        Choice? best = greedyAllowed ? new Choice(DraftTree.RootOnly, 1, curve.CostOf(1)) : null;
        double expected = 1;
        int depth = 0;
        for (int n = 1; n <= order.Count; n++)
        {
            expected += order[n - 1].Probability;
            depth = Math.Max(depth, order[n - 1].Path.Length);
            var candidate = (expected, time: draftCost.At(depth) + curve.CostOf(n + 1));
            if (best is null || candidate.expected / candidate.time > best.PredictedSpeedup)
                best = new Choice(DraftTree.FromPaths("auto", [.. order.Take(n).Select(p => p.Path)]), candidate.expected, candidate.time);
        }
        return best ?? new Choice(DraftTree.RootOnly, 1, curve.CostOf(1));
    }

    /// <summary>
    /// The same pricing for a given tree: E = 1 + Σ nodes Π p over the node's path, at
    /// overhead(depth) + curve(size). Fails with the mismatch when the tree reaches deeper or wider
    /// than the profile measured.
    /// </summary>
    public static Choice Predict(AcceptanceProfile profile, PassCostCurve curve, DraftOverhead draftCost, DraftTree tree)
    {
        if (tree.MaxDepth > profile.Heads)
            throw new InputException($"tree '{tree.Name}' is {tree.MaxDepth} deep but the acceptance profile covers {profile.Heads} heads");
        if (tree.TopKNeeded > profile.Ranks)
            throw new InputException($"tree '{tree.Name}' uses rank {tree.TopKNeeded - 1} but the acceptance profile measured ranks 0..{profile.Ranks - 1}");
        double expected = 1;
        foreach (var path in tree.Paths)
            expected += path.Select((rank, depth) => profile.Probability[depth][rank]).Aggregate(1.0, (a, b) => a * b);
        return new Choice(tree, expected, draftCost.At(tree.MaxDepth) + curve.CostOf(tree.Size));
    }

    /// <summary>The count likeliest paths, likeliest first (ties: shorter, then lexicographic), each after its parent.</summary>
    private static List<(int[] Path, double Probability)> NodesByProbability(AcceptanceProfile profile, int count)
    {
        var chosen = new List<(int[] Path, double Probability)>();
        var frontier = new PriorityQueue<(int[] Path, double Probability), (double, int, string)>();
        void Offer(int[] parent, double p)
        {
            if (parent.Length == profile.Heads) return;
            for (int r = 0; r < profile.Ranks; r++)
            {
                double q = p * profile.Probability[parent.Length][r];
                if (q > 0) frontier.Enqueue(([.. parent, r], q), (-q, parent.Length + 1, TreePaths.Format([.. parent, r])));
            }
        }
        Offer([], 1);
        while (chosen.Count < count && frontier.TryDequeue(out var node, out _))
        {
            chosen.Add(node);
            Offer(node.Path, node.Probability);
        }
        return chosen;
    }
}
