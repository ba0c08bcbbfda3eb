using Amphista.Decoding.Trees;

namespace Amphista.Tests.Trees;

/// <summary>The shipped trees and the name-or-literal lookup behind --tree.</summary>
public class NamedTreesTests
{
    [Fact]
    public void McSim7b63MatchesMedusaStatistics()
    {
        // The figures of Medusa's mc_sim_7b_63: 63 paths plus the root, 4 deep, top-10 candidates.
        var tree = NamedTrees.McSim7b63;
        Assert.Equal(64, tree.Size);
        Assert.Equal(4, tree.MaxDepth);
        Assert.Equal(10, tree.TopKNeeded);
        Assert.Equal([10, 28, 23, 2], Enumerable.Range(1, 4).Select(d => tree.Depth.Count(x => x == d)));
        Assert.Equal(42, tree.LeafPaths.Count);
        Assert.Contains(tree.LeafPaths, p => p.SequenceEqual([0, 1, 11, 39, 63]));
        Assert.Equal([0, 1, 11, 39, 63], tree.LeafPaths[^1]);    // retrieve_indices[0] in Medusa
        Assert.Equal([0, 1, 19], tree.LeafPaths[0]);             // Medusa's last row
    }

    [Theory]
    [InlineData("mc_sim_7b_63")]
    [InlineData("chain")]
    [InlineData("narrow")]
    [InlineData("root")]
    public void NamedTreesAreValid(string name)
    {
        var tree = NamedTrees.Get(name);
        Assert.Equal(name, tree.Name);
        TreeInvariants.AssertValid(tree);
        tree.CheckFits(heads: 4, topK: 10);
    }

    [Fact]
    public void NamesListsEveryTree()
    {
        Assert.Equal(["mc_sim_7b_63", "chain", "narrow", "root"], NamedTrees.Names);
        Assert.Same(DraftTree.RootOnly, NamedTrees.Get("root"));
    }

    [Fact]
    public void ChainAndNarrowShapes()
    {
        Assert.Equal([-1, 0, 1, 2, 3], NamedTrees.Chain.Parent);
        Assert.Single(NamedTrees.Chain.LeafPaths);
        var narrow = NamedTrees.Narrow;
        Assert.InRange(narrow.Size, 10, 16);
        Assert.Equal(4, narrow.MaxDepth);
        Assert.Equal(2, narrow.Children[0].Count);
    }

    [Fact]
    public void LiteralPathListIsATree()
    {
        var tree = NamedTrees.Get(" [[0], [0, 0], [1]] ");
        Assert.Equal("[[0],[0,0],[1]]", tree.Name);
        Assert.Equal([[0], [1], [0, 0]], tree.Paths);
        Assert.Equal(1, NamedTrees.Get("[]").Size);
    }
}
