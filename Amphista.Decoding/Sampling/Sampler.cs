using Amphista.Tensors;
using Amphista.Tensors.Kernels;

namespace Amphista.Decoding.Sampling;

/// <summary>
/// The lossless sampler (SPEC §3a): the token at a position is a pure function of the logits
/// there and of the seeded noise, token = argmax over the allowed set of (logit / T + g(seed,
/// position, id)), the lower id among equals. By the Gumbel-max trick that is an exact draw from
/// softmax(logits / T) over the set (<see cref="Nucleus"/>). The tree verifier computes the same
/// logits bit for bit at every position the plain decoder reaches, so walking a tree with this choice
/// reproduces plain sampling token for token. Temperature 0 is greedy decoding: the argmax.
/// </summary>
public sealed class Sampler(SamplingSettings settings)
{
    private readonly Nucleus nucleus = new();
    private readonly HostRows rows = new();
    private readonly GumbelNoise.Floors floors = new();

    /// <summary>Temperature 0: every choice is the argmax.</summary>
    public bool IsGreedy => settings.IsGreedy;

    /// <summary>The token at position from row r of logits [T, V].</summary>
    public int Next(IKernels kernels, Tensor logits, int r, int position) =>
        settings.IsGreedy ? kernels.Argmax(logits, r) : Choose(rows.Row(kernels, logits, r), position);

    /// <summary>The token at position from logits [V] (T &gt; 0).</summary>
    public int Choose(ReadOnlySpan<float> logits, int position)
    {
        double t = settings.Temperature;
        bool restricted = settings.TopK != 0 || settings.TopP != 1;
        var last = restricted ? nucleus.Last(logits, t, settings.TopK, settings.TopP) : new Nucleus.Rank(double.NegativeInfinity, int.MaxValue);
        ulong key = GumbelNoise.PositionKey(settings.Seed, position);

        // Start from the most likely token, which usually wins. A token whose logit lies below its noise
        // bucket's floor (where even the bucket's largest noise cannot reach the best score so far) is
        // skipped without its logarithms or its division.
        int best = Argmax(logits);
        double bestScore = logits[best] / t + GumbelNoise.Gumbel(GumbelNoise.Bits(key, best));
        floors.Raise(bestScore, t);
        for (int i = 0; i < logits.Length; i++)
        {
            ulong bits = GumbelNoise.Bits(key, i);
            if (i == best || logits[i] < floors.Below(bits)) continue;
            double z = logits[i] / t;
            if (restricted && !new Nucleus.Rank(z, i).AtOrAbove(last)) continue;
            double score = z + GumbelNoise.Gumbel(bits);
            if (score > bestScore || (score == bestScore && i < best))
            {
                (best, bestScore) = (i, score);
                floors.Raise(bestScore, t);
            }
        }
        return best;
    }

    /// <summary>The first largest logit (the highest-ranked token, always in the set).</summary>
    private static int Argmax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }
}
