using System.Text.Json;

namespace Amphista.Decoding.Trees;

/// <summary>
/// The draft trees known by name, and literal path lists such as "[[0],[0,0],[1]]", so that one --tree
/// option takes either.
/// </summary>
public static class NamedTrees
{
    // Medusa's tree, from FasterDecoding/Medusa medusa/model/medusa_choices.py (Apache-2.0).
    public static DraftTree McSim7b63 { get; } = DraftTree.FromPaths("mc_sim_7b_63",
    [
        [0], [0, 0], [1], [0, 1], [2], [0, 0, 0], [1, 0], [0, 2], [3], [0, 3], [4], [0, 4], [2, 0], [0, 5],
        [0, 0, 1], [5], [0, 6], [6], [0, 7], [0, 1, 0], [1, 1], [7], [0, 8], [0, 0, 2], [3, 0], [0, 9], [8], [9],
        [1, 0, 0], [0, 2, 0], [1, 2], [0, 0, 3], [4, 0], [2, 1], [0, 0, 4], [0, 0, 5], [0, 0, 0, 0], [0, 1, 1],
        [0, 0, 6], [0, 3, 0], [5, 0], [1, 3], [0, 0, 7], [0, 0, 8], [0, 0, 9], [6, 0], [0, 4, 0], [1, 4], [7, 0],
        [0, 1, 2], [2, 0, 0], [3, 1], [2, 2], [8, 0], [0, 5, 0], [1, 5], [1, 0, 1], [0, 2, 1], [9, 0], [0, 6, 0],
        [0, 0, 0, 1], [1, 6], [0, 7, 0],
    ]);

    /// <summary>Top-1 only, four deep: the degenerate tree that must match plain greedy decoding most simply.</summary>
    public static DraftTree Chain { get; } = DraftTree.FromPaths("chain", [[0], [0, 0], [0, 0, 0], [0, 0, 0, 0]]);

    /// <summary>
    /// 13 nodes for small models and CPU runs, where verifying 64 nodes costs more than it gains. Two
    /// candidates at depth 1; below that, top-1 drafts hit far more often than the rest, so rank 0 lines keep
    /// the alternatives and the tree narrows to two lines at depth 4 (nodes per depth 2/4/4/2).
    /// </summary>
    public static DraftTree Narrow { get; } = DraftTree.FromPaths("narrow",
    [
        [0], [1],
        [0, 0], [0, 1], [0, 2], [1, 0],
        [0, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0],
        [0, 0, 0, 0], [0, 0, 1, 0],
    ]);

    private static readonly DraftTree[] Known = [McSim7b63, Chain, Narrow, DraftTree.RootOnly];

    /// <summary>The known names: mc_sim_7b_63, chain, narrow, root.</summary>
    public static IReadOnlyList<string> Names { get; } = Known.Select(t => t.Name).ToArray().AsReadOnly();

    /// <summary>A known tree by name, or a literal path list such as "[[0],[0,0],[1]]" (named by it, without spaces).</summary>
    public static DraftTree Get(string nameOrPaths)
    {
        ArgumentNullException.ThrowIfNull(nameOrPaths);
        string text = nameOrPaths.Trim();
        if (text.StartsWith('['))
        {
            var paths = ParseLiteral(text);
            return DraftTree.FromPaths(TreePaths.Format(paths), paths);
        }
        return Known.FirstOrDefault(t => t.Name == text)
            ?? throw new TreeException($"unknown tree '{nameOrPaths}'; known trees: {string.Join(", ", Names)}, or a path list like [[0],[0,0],[1]]");
    }

    private static int[][] ParseLiteral(string text)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(text); }
        catch (JsonException e) { throw new TreeException($"tree literal '{text}' is not a list of integer lists: {e.Message}"); }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array || root.EnumerateArray().Any(p => p.ValueKind != JsonValueKind.Array))
                throw new TreeException($"tree literal '{text}' is not a list of integer lists");
            return root.EnumerateArray().Select(path => path.EnumerateArray().Select(rank =>
                rank.ValueKind == JsonValueKind.Number && rank.TryGetInt32(out int r)
                    ? r
                    : throw new TreeException($"tree literal '{text}' has a rank '{rank.GetRawText()}' that is not an integer"))
                .ToArray()).ToArray();
        }
    }
}
