namespace Amphista.Decoding.Drafting;

/// <summary>The [K][topK] candidate arrays a draft session hands out, kept across steps.</summary>
internal static class Candidates
{
    /// <summary>candidates when already [heads][topK], else fresh arrays of that shape.</summary>
    public static int[][] Reuse(int[][] candidates, int heads, int topK)
    {
        if (candidates.Length == heads && heads > 0 && candidates[0].Length == topK) return candidates;
        var fresh = new int[heads][];
        for (int k = 0; k < heads; k++) fresh[k] = new int[topK];
        return fresh;
    }
}
