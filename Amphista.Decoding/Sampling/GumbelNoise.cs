namespace Amphista.Decoding.Sampling;

/// <summary>
/// Counter-based Gumbel noise g(seed, position, id) (SPEC §3a): a pure function of its key, so the
/// plain decoder and the tree verifier, which reach a position at different times and in different
/// passes, draw the same noise for the same token at the same position. 64 bits from SplitMix64's
/// mixing function, h = mix(mix(mix(seed) + position) + id); a uniform u = (⌊h / 2¹²⌋ + ½) · 2⁻⁵² in
/// (0, 1), exact in double (52 bits and the half); g = −ln(−ln u) with <see cref="FixedLog"/>. The top 8 bits of h place u in one of 256
/// equal buckets, and <see cref="UpperBound"/> bounds g over each: the sampler skips a token whose
/// score cannot reach the best one without computing its logarithms.
/// </summary>
public static class GumbelNoise
{
    private const int BucketBits = 8;

    /// <summary>A bound above every rounding in g's evaluation: the bounds stay bounds (the skip never changes a choice).</summary>
    private const double Slack = 1e-9;

    private static readonly double[] Bound = [.. Enumerable.Range(1, 1 << BucketBits).Select(b => FromUniform(BucketTop(b)) + Slack)];

    /// <summary>The key of one position: the noise of every id there is mix(key + id).</summary>
    public static ulong PositionKey(ulong seed, int position) => Mix(Mix(seed) + (ulong)position);

    public static ulong Bits(ulong positionKey, int id) => Mix(positionKey + (ulong)id);

    public static double Gumbel(ulong bits) => FromUniform(Uniform(bits));

    public static double Gumbel(ulong seed, int position, int id) => Gumbel(Bits(PositionKey(seed, position), id));

    /// <summary>A number no smaller than Gumbel(bits), from its top bits alone.</summary>
    public static double UpperBound(ulong bits) => Bound[bits >> (64 - BucketBits)];

    private static double FromUniform(double u) => -FixedLog.Log(-FixedLog.Log(u));

    private static double Uniform(ulong bits) => ((bits >> 12) + 0.5) * (1.0 / (1UL << 52));

    /// <summary>
    /// Per noise bucket, the logit below which a token cannot reach a given score at temperature t:
    /// (score − bound) · t, less a margin far above the rounding of either side, so a skipped token's
    /// exact score is always below the given one.
    /// </summary>
    public sealed class Floors
    {
        private readonly double[] floor = new double[1 << BucketBits];

        public void Raise(double score, double t)
        {
            for (int b = 0; b < floor.Length; b++)
            {
                double margin = 1e-9 * (1 + Math.Abs(score) + Math.Abs(Bound[b]));
                floor[b] = (score - Bound[b] - margin) * t;
            }
        }

        public double Below(ulong bits) => floor[bits >> (64 - BucketBits)];
    }

    /// <summary>The largest uniform of bucket b - 1 (g grows with u, so g there bounds the bucket).</summary>
    private static double BucketTop(int b) => Uniform(((ulong)b << (64 - BucketBits)) - 1);

    /// <summary>SplitMix64 (Steele, Lea and Flood 2014): one increment by the golden gamma, then its mixing function.</summary>
    private static ulong Mix(ulong z)
    {
        z += 0x9E37_79B9_7F4A_7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }
}
