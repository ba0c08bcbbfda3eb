using Amphista.Decoding;
using Amphista.Decoding.Trees;
using Amphista.Decoding.Verification;
using Amphista.Tests.Support;

namespace Amphista.Tests.Decoding;

/// <summary>
/// Medusa's typical acceptance is for sampling and is not lossless; these tests pin down its rule:
/// a zero cut accepts whole paths, a cut above 1 accepts nothing, and a seed reproduces a run.
/// </summary>
public class TypicalAcceptanceTests
{
    private static DecodeResult Run(float threshold, float alpha, int seed)
    {
        var model = TestData.Demo;
        int[] prompt = TestData.DemoReference()[1].Prompt;
        int[] sequence = LosslessPropertyTests.GreedySequence(model, prompt, 40);
        var drafter = ScriptedDrafter.Oracle(4, sequence, model.Config.VocabSize);
        var rule = new TypicalAcceptance(temperature: 0.7f, threshold, alpha, seed);
        return new SpeculativeDecoder(model, drafter, NamedTrees.Chain, rule).Generate(new DecodeRequest(prompt, 30, []));
    }

    [Fact]
    public void IsNotLossless() => Assert.False(new TypicalAcceptance(0.7f, 0.09f, 0.3f, 0).IsLossless);

    [Fact]
    public void AZeroCutAcceptsEveryDraftedToken()
    {
        var result = Run(threshold: 0f, alpha: 0f, seed: 1);
        Assert.All(result.AcceptedDepths.SkipLast(1), d => Assert.Equal(4, d));
    }

    [Fact]
    public void ACutAboveOneAcceptsNothing()
    {
        var result = Run(threshold: 2f, alpha: 1e9f, seed: 1);
        Assert.All(result.AcceptedDepths, d => Assert.Equal(0, d));
        Assert.Equal(30, result.Steps);
    }

    [Fact]
    public void TheSameSeedReproducesTheSameTokens() =>
        Assert.Equal(Run(0.09f, 0.3f, seed: 5).Tokens, Run(0.09f, 0.3f, seed: 5).Tokens);
}
