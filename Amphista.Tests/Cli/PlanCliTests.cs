using Amphista.Decoding.Drafting;
using Amphista.Decoding.Tuning;

namespace Amphista.Tests.Cli;

/// <summary>
/// amphista plan and --tree auto as processes: plan prices the best tree and a given one from the shipped
/// drafter's acceptance profile and this machine's measured costs, sizes a drafter's shape to a model it
/// does not fit, and refuses a profile or a tree that does not fit the drafter with one line; generate
/// --tree auto decodes with the tree (or the greedy decoding) it chose and says why.
/// </summary>
public class PlanCliTests
{
    private static string ShippedAmphista => Path.Combine(AppContext.BaseDirectory, "models", "kjv-brown-14m-amphista");

    [Fact]
    public void PlanPricesTheBestTreeAndAGivenOneFromTheShippedProfile()
    {
        var json = CliRunner.Run("plan", "--tree", "[[0],[0,0]]", "--max-nodes", "4", "--repeats", "1", "--json").Json();
        var profile = AcceptanceProfile.Load(ShippedAmphista)!;
        Assert.False(json.GetProperty("random_weights").GetBoolean());
        Assert.Equal(profile.Heads, json.GetProperty("drafter_shape").GetProperty("heads").GetInt32());
        Assert.Equal([1, 2, 4], json.GetProperty("curve_tokens").EnumerateArray().Select(t => t.GetInt32()));

        var tree = json.GetProperty("tree");
        double p0 = profile.Probability[0][0], p1 = profile.Probability[1][0];
        Assert.Equal(1 + p0 + p0 * p1, tree.GetProperty("expected_tokens").GetDouble(), 12);
        Assert.Equal(tree.GetProperty("expected_tokens").GetDouble() / tree.GetProperty("relative_time").GetDouble(),
            tree.GetProperty("expected_speedup").GetDouble(), 12);

        var best = json.GetProperty("best");
        Assert.InRange(best.GetProperty("nodes").GetInt32(), 1, 4);
        Assert.True(best.GetProperty("expected_speedup").GetDouble() >= tree.GetProperty("expected_speedup").GetDouble() - 1e-12,
            "the best tree of up to 4 nodes is priced no lower than a 3-node tree");
    }

    [Fact]
    public void PlanSizesTheShippedShapeToAModelItDoesNotFit()
    {
        var json = CliRunner.Run("plan", "--model", "random:llama-68m", "--max-nodes", "2", "--repeats", "1", "--json").Json();
        Assert.True(json.GetProperty("random_weights").GetBoolean());
        var shape = json.GetProperty("drafter_shape");
        var shipped = DraftVocabulary.Load(ShippedAmphista, 4096)!;
        Assert.Equal(AcceptanceProfile.Load(ShippedAmphista)!.Heads, shape.GetProperty("heads").GetInt32());
        Assert.Equal(shipped.Size * 32000 / 4096, shape.GetProperty("draft_vocabulary").GetInt32());   // in proportion to the vocabulary
        Assert.True(json.GetProperty("best").GetProperty("expected_speedup").GetDouble() > 0);
    }

    [Fact]
    public void APlanForAnotherDrafterShapeOrADeeperTreeIsOneLine()
    {
        string dir = Directory.CreateTempSubdirectory("amphista-plan-").FullName;
        try
        {
            new AcceptanceProfile(10, [[0.5, 0.1], [0.4, 0.1], [0.3, 0.1], [0.2, 0.1], [0.1, 0.1]]).Save(dir);
            CliRunner.Run("plan", "--profile", dir, "--max-nodes", "2", "--repeats", "1")
                .AssertError(1, "the acceptance profile covers 5 heads but the amphista drafter has");
            CliRunner.Run("plan", "--tree", "[[0],[0,0],[0,0,0],[0,0,0,0],[0,0,0,0,0]]")
                .AssertError(1, "is 5 deep but the drafter in");
            CliRunner.Run("plan", "--profile", Path.Combine(dir, "missing.json")).AssertError(1, "--profile takes a drafter directory");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void GenerateWithTreeAutoSaysWhichTreeItChoseAndWhy()
    {
        var run = CliRunner.Run("generate", "--tree", "auto", "--prompt-ids", "1,641,262", "--max-new-tokens", "8", "--verbose", "--json");
        var json = run.Json();
        string why = Assert.Single(run.StderrLines, l => l.Contains("greedy steps beyond its pass"));
        bool greedy = why.Contains("chose greedy decoding: no tree pays");
        Assert.True(greedy || why.Contains("chose "), why);
        Assert.Equal(greedy ? "plain" : "amphista", json.GetProperty("decoder").GetString());
        Assert.True(json.GetProperty("lossless").GetBoolean());
    }
}
