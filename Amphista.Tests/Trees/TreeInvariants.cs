using System.Collections;
using Amphista.Decoding.Trees;

namespace Amphista.Tests.Trees;

/// <summary>What every DraftTree must satisfy, checked against its paths rather than its own bookkeeping.</summary>
public static class TreeInvariants
{
    public static void AssertValid(DraftTree tree)
    {
        var paths = tree.Paths;
        Assert.Equal(paths.Count + 1, tree.Size);
        Assert.Equal(-1, tree.Parent[0]);
        Assert.Equal(0, tree.Depth[0]);
        var nodeOf = new Dictionary<string, int> { [""] = 0 };
        for (int j = 1; j < tree.Size; j++)
        {
            int[] path = paths[j - 1];
            if (j > 1) Assert.True(Compare(paths[j - 2], path) < 0, $"{tree}: paths {j - 2} and {j - 1} out of order");
            Assert.True(nodeOf.TryGetValue(Key(path[..^1]), out int parent), $"{tree}: node {j} precedes its parent");
            nodeOf[Key(path)] = j;
            Assert.Equal(parent, tree.Parent[j]);
            Assert.Equal(tree.Depth[parent] + 1, tree.Depth[j]);
            Assert.Equal(path.Length, tree.Depth[j]);
            Assert.Equal(path.Length - 1, tree.Head[j]);
            Assert.Equal(path[^1], tree.Rank[j]);
            Assert.Contains(j, tree.Children[parent]);
        }
        for (int j = 0; j < tree.Size; j++)
        {
            Assert.Equal(tree.Children[j].Order(), tree.Children[j]);
            var walked = new HashSet<int>();
            for (int a = j; a >= 0; a = tree.Parent[a]) walked.Add(a);
            for (int a = 0; a < tree.Size; a++)
                Assert.True(walked.Contains(a) == tree.IsAncestorOrSelf(a, j), $"{tree}: mask[{j},{a}]");
        }
        int[] leaves = [.. Enumerable.Range(0, tree.Size).Where(j => tree.Children[j].Count == 0)];
        Assert.Equal(leaves, tree.LeafPaths.Select(p => p[^1]));
        foreach (var leafPath in tree.LeafPaths)
        {
            Assert.Equal(0, leafPath[0]);
            for (int i = 1; i < leafPath.Count; i++) Assert.Equal(leafPath[i - 1], tree.Parent[leafPath[i]]);
        }
        Assert.Equal(tree.Depth.Max(), tree.MaxDepth);
        Assert.Equal(tree.MaxDepth, tree.HeadsNeeded);
        Assert.Equal(tree.Size == 1 ? 0 : tree.Rank.Max() + 1, tree.TopKNeeded);
    }

    private static string Key(int[] path) => string.Join(",", path);

    private static int Compare(int[] a, int[] b) =>
        a.Length != b.Length ? a.Length.CompareTo(b.Length) : ((IStructuralComparable)a).CompareTo(b, Comparer<int>.Default);
}
