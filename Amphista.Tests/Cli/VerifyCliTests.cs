using Amphista.Cli;

namespace Amphista.Tests.Cli;

/// <summary>amphista verify as a process: random prompts and a prompt file, JSON and the table.</summary>
public class VerifyCliTests
{
    [Fact]
    public void RandomPromptsAllDecodeExactlyAsGreedy()
    {
        var json = CliRunner.Run("verify", "--drafter", "medusa:random:3", "--random-prompts", "3", "--seed", "7",
            "--max-new-tokens", "12", "--json").Json();
        Assert.Equal(3, json.GetProperty("prompts").GetInt32());
        Assert.Equal(0, json.GetProperty("mismatches").GetInt32());
        Assert.Equal("medusa", json.GetProperty("decoder").GetString());
        Assert.Equal("mc_sim_7b_63", json.GetProperty("tree").GetString());
        var results = json.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(3, results.Length);
        int tokens = 0, steps = 0;
        foreach (var r in results)
        {
            int[] prompt = [.. r.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32())];
            Assert.Equal(1, prompt[0]);                                     // BOS
            Assert.InRange(prompt.Length, 2, 1 + VerifyPrompts.MaxRandomLength);
            Assert.All(prompt, id => Assert.InRange(id, 0, 4095));
            Assert.True(r.GetProperty("equal").GetBoolean());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, r.GetProperty("first_difference").ValueKind);
            var greedy = r.GetProperty("greedy_tokens").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(greedy, r.GetProperty("speculative_tokens").EnumerateArray().Select(e => e.GetInt32()));
            int s = r.GetProperty("steps").GetInt32();
            Assert.InRange(s, 1, greedy.Length);
            Assert.Equal((double)greedy.Length / s, r.GetProperty("mean_accepted").GetDouble(), 1e-12);
            tokens += greedy.Length;
            steps += s;
        }
        Assert.Equal((double)tokens / steps, json.GetProperty("mean_accepted").GetDouble(), 1e-12);
    }

    [Fact]
    public void SampledDecodingIsVerifiedTokenForTokenAgainstPlainSampling()
    {
        string[] common = ["verify", "--drafter", "amphista:random:5", "--tree", "mc_sim_7b_63", "--random-prompts", "3", "--seed", "11",
            "--max-new-tokens", "16", "--json"];
        var sampled = CliRunner.Run([.. common, "--temperature", "1", "--top-p", "0.9"]).Json();
        var greedy = CliRunner.Run(common).Json();
        Assert.Equal(0, sampled.GetProperty("mismatches").GetInt32());
        Assert.Equal(1.0, sampled.GetProperty("sampling").GetProperty("temperature").GetDouble());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, greedy.GetProperty("sampling").ValueKind);
        // The same prompts (--seed also seeds them), decoded differently: the sampler was used.
        string Tokens(System.Text.Json.JsonElement json) => string.Join(";", json.GetProperty("results").EnumerateArray()
            .Select(r => string.Join(",", r.GetProperty("greedy_tokens").EnumerateArray().Select(e => e.GetInt32()))));
        Assert.NotEqual(Tokens(greedy), Tokens(sampled));
    }

    [Fact]
    public void PromptFileLinesAreCheckedOneByOneSkippingBlankLines()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, ["And God said", "", "In the beginning", "   "]);
            var run = CliRunner.Run("verify", "--drafter", "medusa:random:1", "--tree", "narrow", "--prompts", path, "--max-new-tokens", "10");
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.Equal("", run.Stderr);
            string[] lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal(4, lines.Length);                                 // header, two prompts, summary
            Assert.StartsWith("prompt", lines[0]);
            Assert.Matches(@"^1 +4 +\d+ +\d+ +\d+\.\d\d +equal$", lines[1]);   // "And God said": BOS and 3 pieces
            Assert.Matches(@"^2 +\d+ +\d+ +\d+ +\d+\.\d\d +equal$", lines[2]);
            Assert.Matches(@"^medusa on tree narrow: 2 prompts, 0 mismatches, \d+\.\d\d tokens per step$", lines[3]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(new[] { 1, 2, 3 }, new[] { 1, 2, 3 }, null)]
    [InlineData(new[] { 1, 2, 3 }, new[] { 1, 5, 3 }, 1)]
    [InlineData(new[] { 1, 2, 3 }, new[] { 1, 2 }, 2)]
    [InlineData(new int[0], new[] { 4 }, 0)]
    public void FirstDifferenceIsTheFirstUnequalIndexOrTheShorterLength(int[] expected, int[] actual, int? difference) =>
        Assert.Equal(difference, VerifyCommand.FirstDifference(expected, actual));
}
