using Amphista.Decoding.Trees;
using FsCheck;
using FsCheck.Fluent;

namespace Amphista.Tests.Trees;

/// <summary>Random prefix-closed draft trees for property tests (here and in the decoders' tests).</summary>
public static class TreeGen
{
    /// <summary>
    /// Trees of 1 to 30 nodes, at most maxHeads deep, using ranks below maxTopK. Grown one node at a time
    /// under a random existing node, so every tree is prefix-closed; the paths reach FromPaths unsorted.
    /// </summary>
    public static Gen<DraftTree> Trees(int maxHeads, int maxTopK)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxHeads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTopK, 1);
        return from steps in Gen.Choose(0, 29)
               from picks in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, 1 << 16), Gen.Choose(0, maxTopK - 1)), steps)
               select Grow(picks, maxHeads);
    }

    private static DraftTree Grow((int Parent, int Rank)[] picks, int maxHeads)
    {
        var paths = new List<int[]>();
        var present = new HashSet<string>();
        foreach (var (pick, rank) in picks)
        {
            int[][] parents = [[], .. paths.Where(p => p.Length < maxHeads)];
            int[] child = [.. parents[pick % parents.Length], rank];
            if (present.Add(string.Join(",", child))) paths.Add(child);
        }
        return DraftTree.FromPaths("random", paths);
    }
}
