using Amphista.Decoding.Trees;

namespace Amphista.Tests.Trees;

/// <summary>Malformed trees, and trees too big for the drafter, fail with a message naming the path.</summary>
public class TreeValidationTests
{
    private static void Rejects(string expected, IReadOnlyList<int[]> paths) =>
        Assert.Equal(expected, Assert.Throws<TreeException>(() => DraftTree.FromPaths("bad", paths)).Message);

    [Fact]
    public void MissingPrefix() => Rejects("path [1,0] lacks its prefix [1]", [[0], [1, 0]]);

    [Fact]
    public void DuplicatePath() => Rejects("path [0,1] appears more than once", [[0], [0, 1], [0, 1]]);

    [Fact]
    public void EmptyPath() =>
        Rejects("path [] is empty: every path names at least one node below the root", [[0], []]);

    [Fact]
    public void NegativeRank() => Rejects("path [0,-1] has a negative rank", [[0], [0, -1]]);

    [Fact]
    public void DepthBeyondHeads()
    {
        int[][] paths = [[0], [0, 0], [0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0, 0]];
        const string expected = "path [0,0,0,0,0] is 5 deep but the drafter has 4 heads";
        Assert.Equal(expected, Assert.Throws<TreeException>(() => DraftTree.FromPaths("deep", paths, heads: 4, topK: 10)).Message);
        var tree = DraftTree.FromPaths("deep", paths);
        Assert.Equal(expected, Assert.Throws<TreeException>(() => tree.CheckFits(heads: 4, topK: 10)).Message);
    }

    [Fact]
    public void RankBeyondTopK()
    {
        const string expected = "path [0,3] uses rank 3 but only the top 3 candidates are drawn";
        Assert.Equal(expected, Assert.Throws<TreeException>(() => DraftTree.FromPaths("wide", [[0], [0, 3]], heads: 4, topK: 3)).Message);
        var e = Assert.Throws<TreeException>(() => NamedTrees.McSim7b63.CheckFits(heads: 4, topK: 5));
        Assert.Equal("path [5] uses rank 5 but only the top 5 candidates are drawn", e.Message);
    }

    [Fact]
    public void UnknownName()
    {
        var e = Assert.Throws<TreeException>(() => NamedTrees.Get("mc_sim_7b_64"));
        Assert.Equal("unknown tree 'mc_sim_7b_64'; known trees: mc_sim_7b_63, chain, narrow, root, or a path list like [[0],[0,0],[1]]", e.Message);
    }

    [Theory]
    [InlineData("[[0],[0,0]", "is not a list of integer lists")]
    [InlineData("[0,1]", "is not a list of integer lists")]
    [InlineData("[[0],[0.5]]", "has a rank '0.5' that is not an integer")]
    [InlineData("[[0],[\"a\"]]", "has a rank '\"a\"' that is not an integer")]
    [InlineData("[[0],[1,0]]", "path [1,0] lacks its prefix [1]")]
    public void BadLiteral(string literal, string expected) =>
        Assert.Contains(expected, Assert.Throws<TreeException>(() => NamedTrees.Get(literal)).Message);
}
