using Amphista.Decoding.Tuning;

namespace Amphista.Tests.Tuning;

/// <summary>
/// The tree choice is Medusa's greedy construction priced with this machine's costs: it takes the
/// likeliest nodes first, keeps growing while a pass costs nothing more, and falls back to greedy
/// decoding (the root alone) when every token costs its own pass.
/// </summary>
public class HardwareAwareTreeTests
{
    private static readonly AcceptanceProfile TwoByTwo = new(100, [[0.5, 0.3], [0.5, 0.3]]);

    private static readonly DraftOverhead Free = new(0, 0);

    private static PassCostCurve Curve(params double[] relative) =>
        new(128, [.. PassCostCurve.DefaultTokens.Take(relative.Length)], relative);

    [Fact]
    public void AFreePassTakesEveryNodeTheProfileCanAccept()
    {
        var choice = HardwareAwareTree.Choose(TwoByTwo, Curve(1, 1, 1, 1, 1, 1, 1), draftCost: Free, maxNodes: 64);
        Assert.Equal("[[0],[1],[0,0],[0,1],[1,0],[1,1]]", choice.Tree.PathList);
        Assert.Equal(1 + 0.5 + 0.3 + 0.25 + 0.15 + 0.15 + 0.09, choice.ExpectedTokens, 1e-12);
        Assert.Equal(choice.ExpectedTokens / 1, choice.PredictedSpeedup, 1e-12);
    }

    [Fact]
    public void APassThatCostsEveryTokenKeepsGreedyDecoding()
    {
        var choice = HardwareAwareTree.Choose(TwoByTwo, Curve(1, 2, 4, 8, 16, 32, 64), draftCost: Free, maxNodes: 64);
        Assert.Equal(1, choice.Tree.Size);
        Assert.Equal(1, choice.PredictedSpeedup, 1e-12);
    }

    [Fact]
    public void TheNodeLimitAndTheOverheadCutTheTree()
    {
        var limited = HardwareAwareTree.Choose(TwoByTwo, Curve(1, 1, 1, 1, 1, 1, 1), draftCost: Free, maxNodes: 3);
        Assert.Equal("[[0],[1]]", limited.Tree.PathList);
        // Nodes 2.. cost nothing more than node 1 here, yet an overhead larger than their gain keeps the root alone.
        var costly = HardwareAwareTree.Choose(TwoByTwo, Curve(1, 1, 1, 1, 1, 1, 1), draftCost: new(1.5, 0), maxNodes: 64);
        Assert.Equal(1, costly.Tree.Size);
    }

    [Fact]
    public void ACostlierTreeMustPayForItself()
    {
        // Two nodes cost 1.0 + 0.1, four 1.3: [[0]] gives 1.5 / 1.1 = 1.36x, [[0],[1],[0,0]] 2.05 / 1.3 = 1.58x,
        // the full six nodes (seven with the root, 1.6 by the curve) 2.44 / 1.7 = 1.44x.
        var choice = HardwareAwareTree.Choose(TwoByTwo, Curve(1, 1, 1.2, 1.6, 3.2, 6.4, 12.8), draftCost: new(0.1, 0), maxNodes: 64);
        Assert.Equal("[[0],[1],[0,0]]", choice.Tree.PathList);
        Assert.Equal(2.05, choice.ExpectedTokens, 1e-12);
        Assert.Equal(1.3, choice.RelativeTime, 1e-12);
    }

    [Fact]
    public void EachFurtherHeadDraftedMustPayForItself()
    {
        // Free passes. One head costs 0.1: [[0],[1]] gives 1.8 / 1.1 = 1.64x. A second head costs 0.5
        // more: [[0],[1],[0,0]] 2.05 / 1.6 = 1.28x and the full tree 2.44 / 1.6 = 1.53x, both worse.
        var choice = HardwareAwareTree.Choose(TwoByTwo, Curve(1, 1, 1, 1, 1, 1, 1), draftCost: new(0.1, 0.5), maxNodes: 64);
        Assert.Equal("[[0],[1]]", choice.Tree.PathList);
        Assert.Equal(1.1, choice.RelativeTime, 1e-12);
        Assert.Equal(0.1 + 2 * 0.5, new DraftOverhead(0.1, 0.5).At(3), 12);
        Assert.Equal(0, new DraftOverhead(0.1, 0.5).At(0));
    }

    [Fact]
    public void PricingTheChosenTreeGivesBackTheChoice()
    {
        var curve = Curve(1, 1, 1.2, 1.6, 3.2, 6.4, 12.8);
        var choice = HardwareAwareTree.Choose(TwoByTwo, curve, draftCost: new(0.1, 0), maxNodes: 64);
        var priced = HardwareAwareTree.Predict(TwoByTwo, curve, new(0.1, 0), choice.Tree);
        Assert.Equal((choice.ExpectedTokens, choice.RelativeTime), (priced.ExpectedTokens, priced.RelativeTime));
        // [[1],[1,1]]: 1 + 0.3 + 0.3 * 0.3, over a 3-token pass (1.1 by the curve) plus two heads' overhead.
        var given = HardwareAwareTree.Predict(TwoByTwo, curve, new(0.1, 0.2), Amphista.Decoding.Trees.NamedTrees.Get("[[1],[1,1]]"));
        Assert.Equal(1 + 0.3 + 0.09, given.ExpectedTokens, 1e-12);
        Assert.Equal(0.1 + 0.2 + 1.1, given.RelativeTime, 1e-12);
    }

    [Fact]
    public void PricingATreeTheProfileCannotCoverNamesTheMismatch()
    {
        var curve = Curve(1, 1, 1, 1);
        var deep = Assert.Throws<Amphista.Tensors.InputException>(() =>
            HardwareAwareTree.Predict(TwoByTwo, curve, Free, Amphista.Decoding.Trees.NamedTrees.Get("[[0],[0,0],[0,0,0]]")));
        Assert.Contains("is 3 deep but the acceptance profile covers 2 heads", deep.Message);
        var wide = Assert.Throws<Amphista.Tensors.InputException>(() =>
            HardwareAwareTree.Predict(TwoByTwo, curve, Free, Amphista.Decoding.Trees.NamedTrees.Get("[[2]]")));
        Assert.Contains("uses rank 2 but the acceptance profile measured ranks 0..1", wide.Message);
    }

    [Fact]
    public void WithoutGreedyDecodingTheBestTreeThatLostIsStillNamed()
    {
        var curve = Curve(1, 2, 4, 8, 16, 32, 64);
        Assert.Equal(1, HardwareAwareTree.Choose(TwoByTwo, curve, Free, maxNodes: 64).Tree.Size);
        var loser = HardwareAwareTree.Choose(TwoByTwo, curve, Free, maxNodes: 64, greedyAllowed: false);
        Assert.Equal("[[0]]", loser.Tree.PathList);   // 1.5 tokens for 2 passes' time: the least bad
        Assert.Equal(0.75, loser.PredictedSpeedup, 1e-12);
    }

    [Fact]
    public void TheCurveInterpolatesBetweenMeasuredCounts()
    {
        var curve = Curve(1, 1.5, 2.5, 4.5);
        Assert.Equal(1, curve.CostOf(1), 12);
        Assert.Equal(2.0, curve.CostOf(3), 12);
        Assert.Equal(3.5, curve.CostOf(6), 12);
        Assert.Equal(5.5, curve.CostOf(10), 12);   // beyond the last count, along the last segment
    }

    [Fact]
    public void AProfileSurvivesItsFile()
    {
        string dir = Directory.CreateTempSubdirectory("amphista-profile-").FullName;
        try
        {
            TwoByTwo.Save(dir);
            var loaded = AcceptanceProfile.Load(dir)!;
            Assert.Equal(TwoByTwo.Steps, loaded.Steps);
            Assert.Equal(TwoByTwo.Probability, loaded.Probability);
            File.WriteAllText(Path.Combine(dir, AcceptanceProfile.FileName), """{"steps": 3, "probability": [[0.5, 1.5]]}""");
            var e = Assert.Throws<Amphista.Tensors.InputException>(() => AcceptanceProfile.Load(dir));
            Assert.Contains("values in [0, 1]", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
