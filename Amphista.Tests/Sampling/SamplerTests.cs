using Amphista.Decoding.Sampling;
using Amphista.Tensors.Kernels;
using Amphista.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace Amphista.Tests.Sampling;

/// <summary>
/// The sampler against its definition (SPEC §3a): the token is the argmax over the allowed set
/// of z + g(seed, position, id), the set being top-k then the nucleus of the ranking by z = logit / T.
/// The reference here computes every token's noise and sorts the whole vocabulary; the sampler skips
/// tokens that cannot win and walks a heap, and must agree exactly.
/// </summary>
public class SamplerTests
{
    [Fact]
    public void ChoiceEqualsTheDefinitionComputedInFull() => Properties.Check(
        from vocab in Gen.Choose(1, 300)
        from logits in Gen.ArrayOf(Gen.Choose(-4000, 4000).Select(i => i / 400f), vocab)   // ties are common at this grain
        from settings in Decoding.SamplingLosslessPropertyTests.Settings
        from position in Gen.Choose(0, 100_000)
        select (logits, settings, position),
        x => Assert.True(Reference(x.logits, x.settings, x.position) == new Sampler(x.settings).Choose(x.logits, x.position),
            $"{x.settings}, position {x.position}, logits [{string.Join(", ", x.logits)}]"),
        maxTest: 400);

    /// <summary>
    /// Frequencies match softmax(logits / T) over the allowed set: 40,000 draws (positions 0..39,999)
    /// and Pearson's chi-square test at a false-alarm rate of 1e-6 (critical values for 2, 3 and 5
    /// degrees of freedom). The seed is fixed, so the test cannot flake: it passes or fails for good.
    /// Tokens outside the set are never drawn.
    /// </summary>
    [Theory]
    [InlineData(0.7, 0, 1.0, new[] { 0, 1, 2, 3, 4, 5 }, 35.888)]
    [InlineData(1.3, 0, 1.0, new[] { 0, 1, 2, 3, 4, 5 }, 35.888)]
    [InlineData(1.0, 3, 1.0, new[] { 0, 1, 2 }, 27.631)]
    [InlineData(1.0, 0, 0.9, new[] { 0, 1, 2, 3 }, 30.665)]
    public void FrequenciesMatchTheSoftmaxOverTheAllowedSet(double t, int topK, double topP, int[] allowed, double critical)
    {
        float[] logits = [2.0f, 1.5f, 1.0f, 0.25f, -0.5f, -1.5f];
        var sampler = new Sampler(new SamplingSettings(t, topK, topP, Seed: 12345));
        const int draws = 40_000;
        var counts = new int[logits.Length];
        for (int position = 0; position < draws; position++) counts[sampler.Choose(logits, position)]++;

        double[] weights = [.. allowed.Select(i => Math.Exp(logits[i] / t))];
        double total = weights.Sum(), chiSquare = 0;
        for (int j = 0; j < allowed.Length; j++)
        {
            double expected = draws * weights[j] / total;
            chiSquare += Math.Pow(counts[allowed[j]] - expected, 2) / expected;
        }
        Assert.True(chiSquare < critical, $"chi-square {chiSquare:F2} >= {critical} (counts {string.Join(", ", counts)})");
        for (int i = 0; i < logits.Length; i++)
            if (!allowed.Contains(i)) Assert.True(counts[i] == 0, $"token {i} is outside the set but was drawn {counts[i]} times");
    }

    [Fact]
    public void TopOneIsGreedyWhateverTheSeed() => Properties.Check(
        from logits in Gen.ArrayOf(Gen.Choose(-1000, 1000).Select(i => i / 100f), 64)
        from seed in ArbMap.Default.GeneratorFor<ulong>()
        select (logits, seed),
        x => Assert.Equal(new ReferenceKernels().Argmax(x.logits), new Sampler(new SamplingSettings(2.0, TopK: 1, Seed: x.seed)).Choose(x.logits, 7)));

    [Fact]
    public void DifferentSeedsPickDifferentTokens()
    {
        float[] flat = new float[1000];   // uniform over 1000 tokens: 16 seeds agreeing everywhere would be a broken key
        int[] Draws(ulong seed) => [.. Enumerable.Range(0, 16).Select(p => new Sampler(new SamplingSettings(1.0, Seed: seed)).Choose(flat, p))];
        var sequences = Enumerable.Range(0, 16).Select(s => string.Join(',', Draws((ulong)s))).ToHashSet();
        Assert.Equal(16, sequences.Count);
    }

    /// <summary>The definition, computed the long way.</summary>
    private static int Reference(float[] logits, SamplingSettings s, int position)
    {
        double t = s.Temperature;
        var ranked = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i] / t).ThenBy(i => i).ToList();
        if (s.TopK > 0) ranked = ranked.Take(s.TopK).ToList();
        if (s.TopP < 1)
        {
            float yMax = (float)(logits[ranked[0]] / t);
            double Q(int i) => FixedExp.Exp((float)(logits[i] / t) - yMax);
            double mass = ranked.OrderBy(i => i).Sum(Q), cumulative = 0;
            int keep = 0;
            while (keep < ranked.Count && !(keep > 0 && cumulative >= s.TopP * mass)) cumulative += Q(ranked[keep++]);
            ranked = ranked.Take(keep).ToList();
        }
        int best = -1;
        double bestScore = double.NegativeInfinity;
        foreach (int i in ranked.OrderBy(i => i))
        {
            double score = logits[i] / t + GumbelNoise.Gumbel(s.Seed, position, i);
            if (best < 0 || score > bestScore) (best, bestScore) = (i, score);
        }
        return best;
    }
}
