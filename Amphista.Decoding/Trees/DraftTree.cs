namespace Amphista.Decoding.Trees;

/// <summary>
/// The static draft tree of Medusa-style decoding, as plain data (SPEC §3b).
/// Node 0 is the root (the base model's own next token); node j ≥ 1 is sorted path j-1, with paths sorted by
/// (length, lexicographic) as Medusa does, so nodes are breadth-first and every ancestor precedes its
/// descendants. A node on path (r_1..r_d) holds rank r_d of head d-1 and sits at position offset d.
/// </summary>
public sealed class DraftTree
{
    private readonly int[][] sortedPaths;
    private readonly bool[] ancestorOrSelf;    // [Size, Size], row = node, column = candidate ancestor

    /// <summary>Just the root: one plain greedy step per pass.</summary>
    public static DraftTree RootOnly { get; } = FromPaths("root", []);

    public string Name { get; }

    /// <summary>Number of nodes, root included.</summary>
    public int Size { get; }

    /// <summary>Parent node of each node; -1 for the root.</summary>
    public IReadOnlyList<int> Parent { get; }

    /// <summary>Depth of each node (root 0), which is also its position offset from the root.</summary>
    public IReadOnlyList<int> Depth { get; }

    /// <summary>The drafting head whose candidate each node holds (depth - 1); -1 for the root.</summary>
    public IReadOnlyList<int> Head { get; }

    /// <summary>Each node's rank within its head's top-k candidates; -1 for the root.</summary>
    public IReadOnlyList<int> Rank { get; }

    /// <summary>Each node's children, ascending by node index.</summary>
    public IReadOnlyList<IReadOnlyList<int>> Children { get; }

    /// <summary>
    /// One root-to-leaf path per leaf, as node indices starting with 0, ordered by leaf node index
    /// ascending (Medusa's retrieve_indices lists the same rows in the reverse order, unpadded here).
    /// </summary>
    public IReadOnlyList<IReadOnlyList<int>> LeafPaths { get; }

    public int MaxDepth { get; }

    /// <summary>Drafting heads the tree draws from: one per level below the root.</summary>
    public int HeadsNeeded => MaxDepth;

    /// <summary>Candidates per head the tree draws from (max rank + 1); 0 for a root-only tree.</summary>
    public int TopKNeeded { get; }

    /// <summary>The paths as a literal list such as [[0],[0,0],[1]]: what --tree and draft_tree.json accept.</summary>
    public string PathList => TreePaths.Format(sortedPaths);

    /// <summary>The paths in node order (node j is path j-1); a fresh copy each call, so the tree stays immutable.</summary>
    public IReadOnlyList<int[]> Paths => sortedPaths.Select(p => (int[])p.Clone()).ToArray();

    private DraftTree(string name, int[][] sorted)
    {
        Name = name;
        sortedPaths = sorted;
        Size = sorted.Length + 1;
        int n = Size;
        var parent = new int[n];
        var depth = new int[n];
        var head = new int[n];
        var rank = new int[n];
        var children = new List<int>[n];
        var nodeOf = new Dictionary<string, int>();
        parent[0] = head[0] = rank[0] = -1;
        children[0] = [];
        for (int j = 1; j < n; j++)
        {
            var path = sorted[j - 1];
            nodeOf[TreePaths.Format(path)] = j;
            parent[j] = path.Length == 1 ? 0 : nodeOf[TreePaths.Format(path[..^1])];
            depth[j] = path.Length;
            head[j] = path.Length - 1;
            rank[j] = path[^1];
            children[j] = [];
            children[parent[j]].Add(j);
        }
        ancestorOrSelf = new bool[n * n];
        for (int j = 0; j < n; j++)
            for (int a = j; a >= 0; a = parent[a])
                ancestorOrSelf[j * n + a] = true;
        Parent = parent.AsReadOnly();
        Depth = depth.AsReadOnly();
        Head = head.AsReadOnly();
        Rank = rank.AsReadOnly();
        Children = children.Select(c => (IReadOnlyList<int>)c.ToArray().AsReadOnly()).ToArray().AsReadOnly();
        LeafPaths = Enumerable.Range(0, n).Where(j => children[j].Count == 0)
            .Select(leaf => (IReadOnlyList<int>)RootPath(parent, leaf).AsReadOnly()).ToArray().AsReadOnly();
        MaxDepth = depth.Max();
        TopKNeeded = n == 1 ? 0 : rank.Max() + 1;
    }

    /// <summary>Builds a tree from Medusa's path format; any order of paths gives the same tree.</summary>
    public static DraftTree FromPaths(string name, IReadOnlyList<int[]> paths)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(paths);
        return new DraftTree(name, TreePaths.SortedCopy(paths));
    }

    /// <summary>As <see cref="FromPaths(string, IReadOnlyList{int[]})"/>, also rejecting a tree the drafter cannot fill.</summary>
    public static DraftTree FromPaths(string name, IReadOnlyList<int[]> paths, int heads, int topK)
    {
        var tree = FromPaths(name, paths);
        tree.CheckFits(heads, topK);
        return tree;
    }

    /// <summary>Throws <see cref="TreeException"/> if a path is deeper than heads or uses a rank ≥ topK.</summary>
    public void CheckFits(int heads, int topK) => TreePaths.CheckFits(sortedPaths, heads, topK);

    /// <summary>True when ancestor lies on the path from the root to node (node itself included).</summary>
    public bool IsAncestorOrSelf(int ancestor, int node)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)ancestor, (uint)Size, nameof(ancestor));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)node, (uint)Size, nameof(node));
        return ancestorOrSelf[node * Size + ancestor];
    }

    /// <summary>
    /// The nodes of depth ≤ maxDepth, for when the token budget or context is too short for the whole tree.
    /// Breadth-first order makes them the first nodes of this tree, with the same indices. Named "name@depth";
    /// returns this tree when nothing is cut.
    /// </summary>
    public DraftTree Truncate(int maxDepth)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDepth);
        if (maxDepth >= MaxDepth) return this;
        return new DraftTree($"{Name}@{maxDepth}", sortedPaths.Where(p => p.Length <= maxDepth).ToArray());
    }

    public override string ToString() => $"{Name} ({Size} nodes): {TreePaths.Format(sortedPaths)}";

    private static int[] RootPath(int[] parent, int node)
    {
        var path = new List<int>();
        for (int j = node; j >= 0; j = parent[j]) path.Add(j);
        path.Reverse();
        return [.. path];
    }
}
