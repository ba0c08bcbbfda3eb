namespace Amphista.Decoding.Trees;

/// <summary>
/// Medusa's path format (each path lists the candidate rank taken at each depth below the implicit root):
/// its ordering, validation and display, shared by <see cref="DraftTree"/> and the name parser.
/// </summary>
internal static class TreePaths
{
    /// <summary>Medusa's sort key (len(path), path): breadth-first, then lexicographic, so ancestors come first.</summary>
    public static int Compare(int[] a, int[] b)
    {
        if (a.Length != b.Length) return a.Length.CompareTo(b.Length);
        for (int i = 0; i < a.Length; i++)
            if (a[i] != b[i]) return a[i].CompareTo(b[i]);
        return 0;
    }

    /// <summary>"[0,1,2]": compact, so it can be pasted back as part of a --tree literal.</summary>
    public static string Format(IReadOnlyList<int> path) => "[" + string.Join(",", path) + "]";

    public static string Format(IReadOnlyList<int[]> paths) => "[" + string.Join(",", paths.Select(p => Format(p))) + "]";

    /// <summary>Copies and sorts the paths, rejecting any that would not make a tree.</summary>
    public static int[][] SortedCopy(IReadOnlyList<int[]> paths)
    {
        var seen = new HashSet<string>();
        foreach (var path in paths)
        {
            ArgumentNullException.ThrowIfNull(path, nameof(paths));
            if (path.Length == 0)
                throw new TreeException("path [] is empty: every path names at least one node below the root");
            if (path.Any(r => r < 0))
                throw new TreeException($"path {Format(path)} has a negative rank");
            if (!seen.Add(Format(path)))
                throw new TreeException($"path {Format(path)} appears more than once");
        }
        foreach (var path in paths)
        {
            // The decoder fills a node from its parent's slot; a missing prefix would leave the node without one.
            if (path.Length > 1 && !seen.Contains(Format(path[..^1])))
                throw new TreeException($"path {Format(path)} lacks its prefix {Format(path[..^1])}");
        }
        var sorted = paths.Select(p => (int[])p.Clone()).ToArray();
        Array.Sort(sorted, Compare);
        return sorted;
    }

    /// <summary>Rejects paths deeper than the drafter's heads or ranks beyond the top-k it draws.</summary>
    public static void CheckFits(IEnumerable<int[]> paths, int heads, int topK)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(heads);
        ArgumentOutOfRangeException.ThrowIfNegative(topK);
        foreach (var path in paths)
        {
            if (path.Length > heads)
                throw new TreeException($"path {Format(path)} is {path.Length} deep but the drafter has {heads} heads");
            int rank = path.Max();
            if (rank >= topK)
                throw new TreeException($"path {Format(path)} uses rank {rank} but only the top {topK} candidates are drawn");
        }
    }
}
