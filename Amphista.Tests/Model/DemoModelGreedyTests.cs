using Amphista.Decoding;
using Amphista.Tests.Support;

namespace Amphista.Tests.Model;

/// <summary>
/// The embedded demo model (bf16, sharded) reproduces Hugging Face's greedy continuations exactly:
/// all 12 held-out prompts, 48 tokens each. The reference was computed in float64; the smallest
/// top-2 logit gap along the way is 7.6e-3, so a correct float32 implementation matches every token.
/// </summary>
public class DemoModelGreedyTests
{
    [Fact]
    public void AllTwelveReferenceContinuationsMatchTokenForToken()
    {
        var reference = TestData.DemoReference();
        Assert.Equal(12, reference.Count);
        var greedy = new PlainDecoder(TestData.Demo);
        for (int p = 0; p < reference.Count; p++)
        {
            var (prompt, expected) = reference[p];
            int[] actual = greedy.Generate(new DecodeRequest(prompt, expected.Length, StopTokens: [])).Tokens;
            int firstDiff = Enumerable.Range(0, expected.Length).FirstOrDefault(i => actual[i] != expected[i], -1);
            Assert.True(firstDiff < 0,
                $"prompt {p}: token {firstDiff} is {actual[Math.Max(firstDiff, 0)]}, expected {expected[Math.Max(firstDiff, 0)]}");
        }
    }
}
