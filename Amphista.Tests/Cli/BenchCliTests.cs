using System.Text.Json;
using System.Xml.Linq;
using Amphista.Decoding.Tuning;
using Amphista.Tensors.Kernels;
using Amphista.Tests.Support;

namespace Amphista.Tests.Cli;

/// <summary>
/// amphista bench as a process: the --json contract (at a chosen vector width), the chart it writes, --tree auto
/// storing its choice with a drafter, and a drafter name it cannot resolve refused before any timing.
/// </summary>
public class BenchCliTests
{
    [Fact]
    public void JsonReportsEveryDecoderTheRooflineAndTheCurveAndWritesTheChart()
    {
        string chart = Path.Combine(Path.GetTempPath(), $"amphista-bench-{Guid.NewGuid():N}.svg");
        try
        {
            var json = CliRunner.Run("bench", "--drafters", "greedy,amphista:random:1", "--tree", "chain", "--max-prompts", "2",
                "--max-new-tokens", "8", "--repeats", "2", "--chart", chart, "--vector-width", "128", "--json").Json();
            Assert.Equal("cpu", json.GetProperty("device").GetString());
            Assert.Equal("128", json.GetProperty("vector_width").GetString());
            Assert.Equal(VectorWidth.Accelerated.Select(w => w.ToString()),
                json.GetProperty("accelerated_widths").EnumerateArray().Select(w => w.GetString()));
            Assert.Equal(2, json.GetProperty("prompts").GetInt32());
            Assert.Equal(2, json.GetProperty("rounds").GetInt32());
            Assert.Equal(TestData.Demo.Weights.DecodeBytesPerToken, json.GetProperty("weight_bytes_per_token").GetInt64());
            Assert.True(json.GetProperty("bandwidth_gb_per_second").GetDouble() > 0);
            Assert.True(json.GetProperty("greedy_roofline_fraction").GetDouble() > 0);

            var decoders = json.GetProperty("decoders").EnumerateArray().ToArray();
            Assert.Equal(["greedy", "amphista:random:1"], decoders.Select(d => d.GetProperty("name").GetString()));
            Assert.Equal("chain", decoders[1].GetProperty("tree").GetString());
            Assert.All(decoders, d => Assert.Equal(0, d.GetProperty("mismatches").GetInt32()));
            Assert.All(decoders, d => Assert.Equal(JsonValueKind.Null, d.GetProperty("launches_per_step").ValueKind));
            Assert.Equal(1.0, decoders[0].GetProperty("speedup").GetDouble(), 12);
            Assert.All(decoders, d => Assert.InRange(d.GetProperty("tokens_per_second_min").GetDouble(), 1e-9,
                d.GetProperty("tokens_per_second_max").GetDouble()));

            var curve = json.GetProperty("pass_cost").EnumerateArray().ToArray();
            Assert.Equal(PassCostCurve.DefaultTokens, curve.Select(p => p.GetProperty("tokens").GetInt32()));
            Assert.Equal(1.0, curve[0].GetProperty("relative").GetDouble(), 12);

            var svg = XDocument.Load(chart);
            Assert.Equal(2, svg.Descendants().Count(e => e.Name.LocalName == "rect" && (string?)e.Attribute("class") == "bar"));
        }
        finally
        {
            File.Delete(chart);
        }
    }

    [Fact]
    public void TreeAutoStoresTheChosenTreeAndTheProfileWithTheDrafter()
    {
        string dir = Directory.CreateTempSubdirectory("amphista-bench-auto-").FullName;
        string chart = Path.Combine(dir, "chart.svg");
        try
        {
            TestData.CopyShippedDrafter("medusa", dir);
            var run = CliRunner.Run("bench", "--drafters", $"greedy,{dir}", "--tree", "auto", "--max-prompts", "2",
                "--max-new-tokens", "8", "--repeats", "1", "--chart", chart);
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.NotNull(AcceptanceProfile.Load(dir));
            string tree = File.ReadAllText(Path.Combine(dir, "draft_tree.json"));
            Assert.StartsWith("[", tree);
            Assert.Contains("chose", run.Stdout);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void EvalSavesTheAcceptanceProfileItMeasuredWithTheDrafter()
    {
        string dir = Directory.CreateTempSubdirectory("amphista-eval-profile-").FullName;
        try
        {
            TestData.CopyShippedDrafter("medusa", dir);
            var run = CliRunner.Run("eval", "--drafter", dir, "--tree", "narrow", "--prompt-ids", "1,641,262", "--max-new-tokens", "16",
                "--repeats", "1", "--save-profile");
            Assert.True(run.ExitCode == 0, run.Stderr);
            var profile = AcceptanceProfile.Load(dir)!;
            Assert.Equal((4, 3), (profile.Heads, profile.Ranks));   // the drafter's K, narrow's top-3
            Assert.InRange(profile.Steps, 1, 15);
            Assert.All(profile.Probability, row => Assert.InRange(row.Sum(), 0, 1 + 1e-12));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void IgnoreEosDecodesExactlyTheAskedTokensPerPrompt()
    {
        var json = CliRunner.Run("bench", "--drafters", "greedy", "--max-prompts", "2", "--max-new-tokens", "40", "--ignore-eos",
            "--repeats", "1", "--json").Json();
        Assert.Equal(2 * 40, json.GetProperty("new_tokens").GetInt32());
    }

    [Fact]
    public void ShortDrafterNamesNeedTheDemoModel()
    {
        var run = CliRunner.Run("bench", "--model", "random:llama-68m", "--drafters", "greedy,medusa");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no trained medusa drafter ships for this model", run.Stderr);
    }
}
