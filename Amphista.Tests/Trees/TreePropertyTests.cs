using Amphista.Decoding.Trees;
using Amphista.Tests.Support;
using FsCheck.Fluent;

namespace Amphista.Tests.Trees;

/// <summary>Properties of random trees from TreeGen.</summary>
public class TreePropertyTests
{
    private static readonly FsCheck.Gen<DraftTree> Random =
        from heads in Gen.Choose(1, 5)
        from topK in Gen.Choose(1, 4)
        from tree in TreeGen.Trees(heads, topK)
        select tree;

    [Fact]
    public void RandomTreesAreValid() => Properties.Check(Random, TreeInvariants.AssertValid, maxTest: 200);

    [Fact]
    public void FromPathsRoundTrips() => Properties.Check(Random, tree =>
    {
        var again = DraftTree.FromPaths(tree.Name, tree.Paths);
        Assert.Equal(tree.Paths, again.Paths);
        Assert.Equal(tree.Parent, again.Parent);
        Assert.Equal(tree.Depth, again.Depth);
        Assert.Equal(tree.Head, again.Head);
        Assert.Equal(tree.Rank, again.Rank);
        Assert.Equal(tree.Children, again.Children);
        Assert.Equal(tree.LeafPaths, again.LeafPaths);
        Assert.Equal(tree.TopKNeeded, again.TopKNeeded);
    }, maxTest: 200);

    [Fact]
    public void TruncatedRandomTreesAreValidPrefixes() => Properties.Check(
        from tree in Random
        from depth in Gen.Choose(0, 5)
        select (tree, depth),
        c =>
        {
            var cut = c.tree.Truncate(c.depth);
            TreeInvariants.AssertValid(cut);
            Assert.Equal(c.tree.Depth.Count(d => d <= c.depth), cut.Size);
            Assert.Equal(c.tree.Depth.Take(cut.Size), cut.Depth);
        }, maxTest: 200);

    [Fact]
    public void GeneratedTreesRespectTheirLimits() => Properties.Check(
        from heads in Gen.Choose(1, 5)
        from topK in Gen.Choose(1, 4)
        from tree in TreeGen.Trees(heads, topK)
        select (tree, heads, topK),
        c =>
        {
            c.tree.CheckFits(c.heads, c.topK);
            Assert.InRange(c.tree.Size, 1, 30);
        }, maxTest: 200);
}
