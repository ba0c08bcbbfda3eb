using Amphista.Decoding.Drafting;
using Amphista.Tensors;
using Amphista.Tensors.Kernels;

namespace Amphista.Decoding.Sampling;

/// <summary>
/// Drafting under sampling. The noise the sampler will add at every future position is known now, so
/// head k, which guesses the token at position p + k (p = the position after the root), ranks its
/// candidates by the same perturbed scores the sampler will use there: head logit / T + g(seed,
/// p + k, id), highest first, the lower index among equals. A head that predicts the base model's
/// distribution well then proposes the very token the sampler will pick. This changes what is
/// proposed, never what is output.
/// </summary>
public sealed class PerturbedCandidates(SamplingSettings settings)
{
    private readonly HostRows rows = new();

    /// <summary>The position head 0 guesses (the token after the root's); set by the decoder each step.</summary>
    public int FirstPosition { get; set; }

    /// <summary>Head k's top candidates (indices into logits' columns) from row k of logits [heads, N].</summary>
    public void TopK(IKernels kernels, Tensor logits, int k, DraftVocabulary? vocabulary, Span<int> indices)
    {
        var row = rows.Row(kernels, logits, k);
        ulong key = GumbelNoise.PositionKey(settings.Seed, FirstPosition + k);
        double t = settings.Temperature;
        indices.Fill(-1);
        Span<double> scores = indices.Length <= 64 ? stackalloc double[indices.Length] : new double[indices.Length];   // [topK] best first
        for (int i = 0; i < row.Length; i++)
        {
            double z = row[i] / t;
            ulong bits = GumbelNoise.Bits(key, vocabulary?.Ids[i] ?? i);
            // Once topK are held, a candidate whose best possible noise cannot beat the last is skipped.
            if (indices[^1] >= 0 && z + GumbelNoise.UpperBound(bits) < scores[^1]) continue;
            Insert(indices, scores, i, z + GumbelNoise.Gumbel(bits));
        }
    }

    /// <summary>Keeps the best scores first; a later index never displaces an equal score.</summary>
    private static void Insert(Span<int> indices, Span<double> scores, int i, double score)
    {
        int j = indices.Length;
        while (j > 0 && (indices[j - 1] < 0 || score > scores[j - 1])) j--;
        if (j == indices.Length) return;
        for (int m = indices.Length - 1; m > j; m--) (indices[m], scores[m]) = (indices[m - 1], scores[m - 1]);
        (indices[j], scores[j]) = (i, score);
    }
}
