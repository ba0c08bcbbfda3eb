using Amphista.Decoding.Trees;
using Amphista.Decoding.Verification;
using Amphista.Tensors;

namespace Amphista.Tests.Trees;

/// <summary>The tree mask written out by hand: M[j, s] = 1 over the prefix, M[j, n + a] = 1 iff node a is j or its ancestor.</summary>
public class TreeMaskTests
{
    [Fact]
    public void EveryNodeSeesThePrefixItselfAndItsAncestors()
    {
        // Nodes: 0 root, 1 [0], 2 [1], 3 [0,0], 4 [0,1], 5 [1,0]; two committed tokens before them.
        var tree = DraftTree.FromPaths("six", [[0], [1], [0, 0], [0, 1], [1, 0]]);
        var mask = new AttentionMask(0, 0);
        TreeMask.Fill(mask, tree, committed: 2);
        string[] expected =
        [
            "11" + "100000",
            "11" + "110000",
            "11" + "101000",
            "11" + "110100",
            "11" + "110010",
            "11" + "101001",
        ];
        Assert.Equal((6, 8), (mask.Rows, mask.Slots));
        for (int j = 0; j < 6; j++)
            Assert.Equal(expected[j], string.Concat(mask.Row(j).ToArray().Select(v => v ? '1' : '0')));
    }

    [Fact]
    public void AChainIsTheCausalMask()
    {
        var chain = DraftTree.FromPaths("chain", [[0], [0, 0], [0, 0, 0]]);
        var mask = new AttentionMask(0, 0);
        TreeMask.Fill(mask, chain, committed: 3);
        var causal = AttentionMask.Causal(3, 4);
        for (int j = 0; j < 4; j++) Assert.Equal(causal.Row(j).ToArray(), mask.Row(j).ToArray());
    }
}
