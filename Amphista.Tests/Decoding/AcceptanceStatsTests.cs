using Amphista.Decoding;
using Amphista.Decoding.Trees;
using Amphista.Tests.Support;

namespace Amphista.Tests.Decoding;

/// <summary>
/// AcceptanceStats on hand-made DecodeResults whose every number can be counted by eye, and on real
/// speculative runs whose drafter's answers are known: the oracle's are all accepted, the adversary's none.
/// </summary>
public class AcceptanceStatsTests
{
    private static AcceptedStep Step(int depth, params int[] ranks) => new(ranks, depth);

    [Fact]
    public void CountsOfferedAndAcceptedHeadsAndRanks()
    {
        // Generation 1: prompt pass + 3 steps, 7 tokens. Generation 2: prompt pass + 2 steps, 4 tokens;
        // its last tree was cut to depth 1 near the token budget.
        var first = new DecodeResult(new int[7], 4, [Step(3, 0, 1), Step(3), Step(3, 1, 0, 2)]);
        var second = new DecodeResult(new int[4], 3, [Step(3, 0), Step(1)]);

        var stats = AcceptanceStats.Compute([first, second], heads: 4, ranks: 3);

        Assert.Equal(11, stats.Tokens);
        Assert.Equal(7, stats.Steps);
        Assert.Equal(11.0 / 7, stats.MeanAccepted, 1e-15);
        Assert.Equal([5, 4, 4, 0], stats.Offered);
        // head 0: accepted in 3 of 5 steps (ranks 0, 1, 0); head 1: 2 of 4 (ranks 1, 0); head 2: 1 of 4 (rank 2).
        Assert.Equal([3.0 / 5, 2.0 / 4, 1.0 / 4, 0], stats.PerHead);
        Assert.Equal([2.0 / 5, 1.0 / 5, 0], stats.PerHeadRank[0]);
        Assert.Equal([1.0 / 4, 1.0 / 4, 0], stats.PerHeadRank[1]);
        Assert.Equal([0, 0, 1.0 / 4], stats.PerHeadRank[2]);
        Assert.Equal([0.0, 0, 0], stats.PerHeadRank[3]);           // never offered: 0, not NaN
        for (int k = 0; k < 4; k++) Assert.Equal(stats.PerHead[k], stats.PerHeadRank[k].Sum(), 1e-15);
    }

    [Fact]
    public void GreedyResultsAndNoResultsHaveNoAcceptances()
    {
        var greedy = new DecodeResult(new int[5], 5, []);
        var stats = AcceptanceStats.Compute([greedy], heads: 2, ranks: 1);
        Assert.Equal(1.0, stats.MeanAccepted);
        Assert.Equal([0, 0], stats.Offered);
        Assert.Equal([0.0, 0], stats.PerHead);

        var empty = AcceptanceStats.Compute([], heads: 1, ranks: 1);
        Assert.Equal(0, empty.MeanAccepted);
        Assert.Equal([0.0], empty.PerHead);
    }

    [Theory]
    [InlineData(3, new[] { 0 }, "offered a tree 3 deep")]           // deeper than the 2 heads
    [InlineData(1, new[] { 0, 0 }, "accepted 2 drafted tokens")]    // deeper than its tree
    [InlineData(2, new[] { 0, 4 }, "rank 4")]                       // outside the 4 ranks
    [InlineData(2, new[] { -1 }, "rank -1")]
    public void RecordsNoDrafterOfThisShapeCouldProduceAreRefused(int depth, int[] ranks, string message)
    {
        var result = new DecodeResult(new int[3], 2, [new AcceptedStep(ranks, depth)]);
        var e = Assert.Throws<ArgumentException>(() => AcceptanceStats.Compute([result], heads: 2, ranks: 4));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void TheOraclesHeadsAreAlwaysAcceptedAtRankZeroAndTheAdversarysNever()
    {
        var model = TestData.Demo;
        int[] prompt = TestData.DemoReference()[0].Prompt;
        var request = new DecodeRequest(prompt, 30, StopTokens: []);
        int[] sequence = LosslessPropertyTests.GreedySequence(model, prompt, 40);
        int vocab = model.Config.VocabSize;

        var oracle = new SpeculativeDecoder(model, ScriptedDrafter.Oracle(4, sequence, vocab), NamedTrees.Narrow).Generate(request);
        var stats = AcceptanceStats.Compute([oracle], heads: 4, NamedTrees.Narrow.TopKNeeded);
        Assert.All(stats.Offered, offered => Assert.True(offered > 0));
        Assert.Equal([1.0, 1, 1, 1], stats.PerHead);
        Assert.All(stats.PerHeadRank, byRank => Assert.Equal(1.0, byRank[0]));
        Assert.Equal(30.0 / oracle.Steps, stats.MeanAccepted, 1e-15);

        var adversary = new SpeculativeDecoder(model, ScriptedDrafter.Adversary(4, sequence, vocab), NamedTrees.Narrow).Generate(request);
        stats = AcceptanceStats.Compute([adversary], heads: 4, NamedTrees.Narrow.TopKNeeded);
        Assert.Equal([0.0, 0, 0, 0], stats.PerHead);
        Assert.Equal(1.0, stats.MeanAccepted);
    }
}
