using Amphista.Decoding.Drafting;
using Amphista.Decoding.Sampling;
using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using Amphista.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace Amphista.Tests.Sampling;

/// <summary>
/// Head k's candidates under sampling are its top-k by head logit / T + g(seed, p + k, token id),
/// highest first, the lower index among equals: the same noise the sampler adds at that position.
/// </summary>
public class PerturbedCandidatesTests
{
    [Fact]
    public void CandidatesAreTheTopOfThePerturbedScores() => Properties.Check(
        from heads in Gen.Choose(1, 3)
        from vocab in Gen.Choose(4, 200)
        from values in Gen.ArrayOf(Gen.Choose(-300, 300).Select(i => i / 50f), heads * vocab)
        from topK in Gen.Choose(1, 4)
        from settings in Decoding.SamplingLosslessPropertyTests.Settings
        from first in Gen.Choose(0, 5000)
        from restricted in Gen.Elements(true, false)
        select (heads, vocab, values, topK, settings, first, restricted),
        x =>
        {
            var logits = new Tensor(x.heads, x.vocab, x.values);   // [heads, N]
            // A draft vocabulary maps column i to token Ids[i]: the noise is keyed by the token id.
            var vocabulary = x.restricted ? new DraftVocabulary([.. Enumerable.Range(0, x.vocab).Select(i => 3 * i + 1)], 3 * x.vocab + 1) : null;
            var perturbed = new PerturbedCandidates(x.settings) { FirstPosition = x.first };
            for (int k = 0; k < x.heads; k++)
            {
                var actual = new int[x.topK];
                perturbed.TopK(new ReferenceKernels(), logits, k, vocabulary, actual);
                ulong key = GumbelNoise.PositionKey(x.settings.Seed, x.first + k);
                int[] expected = [.. Enumerable.Range(0, x.vocab)
                    .OrderByDescending(i => logits[k, i] / x.settings.Temperature + GumbelNoise.Gumbel(GumbelNoise.Bits(key, vocabulary?.Ids[i] ?? i)))
                    .ThenBy(i => i).Take(x.topK)];
                Assert.True(expected.SequenceEqual(actual), $"head {k}: [{string.Join(',', actual)}], expected [{string.Join(',', expected)}]");
            }
        }, maxTest: 300);
}
