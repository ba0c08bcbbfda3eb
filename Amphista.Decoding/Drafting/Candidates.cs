using Amphista.Decoding.Sampling;
using Amphista.Tensors;
using Amphista.Tensors.Kernels;

namespace Amphista.Decoding.Drafting;

/// <summary>The [K][topK] candidate arrays a draft session hands out, kept across steps.</summary>
internal static class Candidates
{
    /// <summary>The arguments of a Draft: 1..K heads, top 1..V candidates.</summary>
    public static void CheckDraft(int heads, int topK, int drafterHeads, int vocab)
    {
        CheckHeads(heads, drafterHeads);
        if (topK < 1 || topK > vocab)
            throw new ArgumentOutOfRangeException(nameof(topK), $"top-{topK} of a vocabulary of {vocab}");
    }

    /// <summary>1..K heads drafted.</summary>
    public static void CheckHeads(int heads, int drafterHeads)
    {
        if (heads < 1 || heads > drafterHeads)
            throw new ArgumentOutOfRangeException(nameof(heads), $"{heads} heads of a drafter with {drafterHeads}");
    }

    /// <summary>candidates when already [heads][topK], else fresh arrays of that shape.</summary>
    public static int[][] Reuse(int[][] candidates, int heads, int topK)
    {
        if (candidates.Length == heads && heads > 0 && candidates[0].Length == topK) return candidates;
        var fresh = new int[heads][];
        for (int k = 0; k < heads; k++) fresh[k] = new int[topK];
        return fresh;
    }

    /// <summary>
    /// Each head's candidates as token ids from its row of logits [heads, N]: its top-k by logit (every head's in
    /// one read of the kernels' results), or under sampling by the sampler's perturbed scores; indices into a
    /// draft vocabulary become its token ids.
    /// </summary>
    public static void Select(IKernels kernels, Tensor logits, int[][] candidates, DraftVocabulary? vocabulary, PerturbedCandidates? perturbed)
    {
        if (perturbed is null)
        {
            int topK = candidates[0].Length, n = candidates.Length * topK;
            Span<int> all = n <= 1024 ? stackalloc int[n] : new int[n];   // [heads, topK]
            kernels.TopKOfRows(logits, topK, all);
            for (int k = 0; k < candidates.Length; k++) all.Slice(k * topK, topK).CopyTo(candidates[k]);
        }
        else
            for (int k = 0; k < candidates.Length; k++) perturbed.TopK(kernels, logits, k, vocabulary, candidates[k]);
        if (vocabulary is not null)
            foreach (var head in candidates) vocabulary.ToTokenIds(head);
    }
}
