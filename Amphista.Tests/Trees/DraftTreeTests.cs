using Amphista.Decoding.Trees;

namespace Amphista.Tests.Trees;

/// <summary>DraftTree's arrays on small trees written out by hand, and Truncate.</summary>
public class DraftTreeTests
{
    // Paths sort by (length, lexicographic), as Medusa sorts them: [0],[1],[0,0],[0,1],[1,0].
    private static readonly DraftTree Six = DraftTree.FromPaths("six", [[0], [0, 0], [0, 1], [1], [1, 0]]);

    [Fact]
    public void SixNodeTreeArrays()
    {
        Assert.Equal(6, Six.Size);
        Assert.Equal([[0], [1], [0, 0], [0, 1], [1, 0]], Six.Paths);
        Assert.Equal([-1, 0, 0, 1, 1, 2], Six.Parent);
        Assert.Equal([0, 1, 1, 2, 2, 2], Six.Depth);    // Medusa's position_ids
        Assert.Equal([-1, 0, 0, 1, 1, 1], Six.Head);
        Assert.Equal([-1, 0, 1, 0, 1, 0], Six.Rank);
        Assert.Equal([[1, 2], [3, 4], [5], [], [], []], Six.Children.Select(c => c.ToArray()));
        Assert.Equal(2, Six.MaxDepth);
        Assert.Equal(2, Six.HeadsNeeded);
        Assert.Equal(2, Six.TopKNeeded);
    }

    [Fact]
    public void SixNodeTreeMatchesMedusaTreeIndices()
    {
        // tree_indices [0,1,2,11,12,11]: slot 1 + TOPK·head + rank in Medusa's candidate vector (TOPK = 10).
        int[] slots = [.. Enumerable.Range(0, Six.Size).Select(j => j == 0 ? 0 : 1 + 10 * Six.Head[j] + Six.Rank[j])];
        Assert.Equal([0, 1, 2, 11, 12, 11], slots);
    }

    [Fact]
    public void SixNodeTreeAncestorMask()
    {
        string[] rows = [.. Enumerable.Range(0, Six.Size).Select(node =>
            string.Concat(Enumerable.Range(0, Six.Size).Select(a => Six.IsAncestorOrSelf(a, node) ? '1' : '0')))];
        Assert.Equal(["100000", "110000", "101000", "110100", "110010", "101001"], rows);
    }

    [Fact]
    public void SixNodeTreeLeafPathsAreMedusaRetrieveIndicesReversed()
    {
        // Medusa's retrieve_indices: [[0,2,5],[0,1,4],[0,1,3]].
        Assert.Equal([[0, 1, 3], [0, 1, 4], [0, 2, 5]], Six.LeafPaths.Select(p => p.ToArray()));
    }

    [Fact]
    public void PathOrderDoesNotMatter()
    {
        var shuffled = DraftTree.FromPaths("six", [[1, 0], [0, 1], [1], [0, 0], [0]]);
        Assert.Equal(Six.Paths, shuffled.Paths);
        Assert.Equal(Six.Parent, shuffled.Parent);
    }

    [Fact]
    public void RootOnlyIsASingleNode()
    {
        var root = DraftTree.RootOnly;
        Assert.Equal(1, root.Size);
        Assert.Equal([-1], root.Parent);
        Assert.Equal([0], root.Depth);
        Assert.Equal([[0]], root.LeafPaths.Select(p => p.ToArray()));
        Assert.Equal(0, root.MaxDepth);
        Assert.Equal(0, root.TopKNeeded);
        Assert.Empty(root.Paths);
        root.CheckFits(heads: 0, topK: 0);
        TreeInvariants.AssertValid(root);
    }

    [Fact]
    public void PathsIsACopy()
    {
        Six.Paths[0][0] = 7;
        Assert.Equal([0], Six.Paths[0]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TruncateKeepsTheShallowNodesWithTheirIndices(int depth)
    {
        var full = NamedTrees.McSim7b63;
        var cut = full.Truncate(depth);
        Assert.Equal($"mc_sim_7b_63@{depth}", cut.Name);
        Assert.Equal(full.Depth.Count(d => d <= depth), cut.Size);
        Assert.Equal(full.Paths.Where(p => p.Length <= depth), cut.Paths);
        Assert.Equal(full.Parent.Take(cut.Size), cut.Parent);
        Assert.Equal(Math.Min(depth, full.MaxDepth), cut.MaxDepth);
        TreeInvariants.AssertValid(cut);
    }

    [Fact]
    public void TruncateAtOrBeyondTheDepthCutsNothing()
    {
        Assert.Same(Six, Six.Truncate(2));
        Assert.Same(Six, Six.Truncate(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Six.Truncate(-1));
    }

    [Fact]
    public void CheckFitsAcceptsATreeWithinLimits()
    {
        NamedTrees.McSim7b63.CheckFits(heads: 4, topK: 10);
        NamedTrees.McSim7b63.CheckFits(heads: 5, topK: 10);
        Assert.Equal(64, DraftTree.FromPaths("x", NamedTrees.McSim7b63.Paths, heads: 4, topK: 10).Size);
    }
}
