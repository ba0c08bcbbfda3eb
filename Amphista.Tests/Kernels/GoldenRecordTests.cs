using Amphista.Cli.SelfTest;
using Amphista.Model.Llama;
using Amphista.Tensors.Kernels;
using Amphista.Tests.Support;

namespace Amphista.Tests.Kernels;

/// <summary>
/// The demo model computes its shipped golden record (models/kjv-brown-14m/reference_bits.json) bit for
/// bit at every vector width: each prompt's per-position logits hashes and its greedy tokens. No
/// tolerance: after an intended change of the reduction order, regenerate the record with
/// `amphista selftest --write models/kjv-brown-14m/reference_bits.json`.
/// </summary>
public class GoldenRecordTests
{
    private static GoldenRecord Shipped => GoldenRecord.Load(Path.Combine(TestData.DemoDir, GoldenRecord.FileName));

    public static TheoryData<int> Widths => new(VectorWidth.All.Select(w => w.Bits));

    [Theory, MemberData(nameof(Widths))]
    public void TheDemoModelComputesTheShippedRecordAtEveryWidth(int bits)
    {
        var width = new VectorWidth(bits);
        var model = new LlamaModel(TestData.Demo.Config, TestData.Demo.Weights, new CpuKernels(2, width));
        var reference = Shipped;
        // A width this machine emulates runs many times slower: the last prompt and its first greedy tokens
        // still reach every kernel, on four-, two- and one-row tiles.
        if (!width.IsAccelerated)
            reference = reference with { Prompts = [reference.Prompts[^1] with { Greedy = reference.Prompts[^1].Greedy[..4] }] };
        var comparison = GoldenComparison.Of(reference, reference.Recompute(model));
        Assert.True(comparison.FirstLogits is null && comparison.FirstGreedy is null,
            $"vector width {width} ({(width.IsAccelerated ? "accelerated" : "emulated: the last prompt alone")}): {comparison.Describe()}; " +
            "if the reduction order changed on purpose, regenerate models/kjv-brown-14m/reference_bits.json with amphista selftest --write");
        if (width.IsAccelerated)
            Assert.True(comparison.SummaryEqual, $"vector width {width}: {comparison.Describe()}");
    }

    [Fact]
    public void TheShippedRecordIsTheBuiltInPromptsSoWriteRegeneratesIt()
    {
        var shipped = Shipped;
        Assert.Equal(GoldenRecord.DefaultPrompts, shipped.Prompts.Select(p => p.Ids));
        Assert.All(shipped.Prompts, p => Assert.Equal(GoldenRecord.DefaultNewTokens, p.Greedy.Length));
    }

    [Fact]
    public void TheComparisonNamesTheFirstDifferingPromptPositionAndToken()
    {
        var shipped = Shipped;
        var tampered = shipped with
        {
            Prompts =
            [
                shipped.Prompts[0],
                shipped.Prompts[1] with { LogitsSha256 = [.. shipped.Prompts[1].LogitsSha256[..4], new string('0', 64), .. shipped.Prompts[1].LogitsSha256[5..]] },
                shipped.Prompts[2] with { Greedy = [.. shipped.Prompts[2].Greedy[..7], shipped.Prompts[2].Greedy[7] + 1, .. shipped.Prompts[2].Greedy[8..]] },
            ],
        };
        var comparison = GoldenComparison.Of(tampered, shipped);
        Assert.Equal(new LogitsDifference(1, 4), comparison.FirstLogits);
        Assert.Equal(new GreedyDifference(2, 7), comparison.FirstGreedy);
        Assert.False(comparison.Identical);
        Assert.StartsWith("prompt 1 position 4: the logits differ", comparison.Describe());
        Assert.True(GoldenComparison.Of(shipped, shipped).Identical);
    }
}
