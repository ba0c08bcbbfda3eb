using Amphista.Cli;

namespace Amphista.Tests.Cli;

/// <summary>
/// amphista eval as a process (the --json contract, the table) and its usage errors in-process. The
/// arithmetic behind the acceptance numbers is tested in AcceptanceStatsTests; here, that it is wired up.
/// </summary>
public class EvalCliTests
{
    [Fact]
    public void HeldoutJsonHasEveryFieldAndNoMismatches()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, ["And God said unto Moses, Go in unto Pharaoh, and tell him", "", "The jury said it did find"]);
            var json = CliRunner.Run("eval", "--drafter", "medusa:random:3", "--tree", "narrow", "--heads", "5", "--heldout", path,
                "--max-new-tokens", "10", "--repeats", "2", "--json").Json();
            Assert.Equal(2, json.GetProperty("prompts").GetInt32());           // the blank line is skipped
            Assert.Equal(0, json.GetProperty("mismatches").GetInt32());
            Assert.Equal("medusa", json.GetProperty("decoder").GetString());
            Assert.Equal("narrow", json.GetProperty("tree").GetString());
            Assert.Equal(5, json.GetProperty("heads").GetInt32());
            Assert.Equal(2, json.GetProperty("repeats").GetInt32());

            int tokens = json.GetProperty("new_tokens").GetInt32(), steps = json.GetProperty("steps").GetInt32();
            Assert.InRange(tokens, 2, 20);
            Assert.InRange(steps, 2, tokens);
            Assert.Equal((double)tokens / steps, json.GetProperty("mean_accepted").GetDouble(), 1e-12);

            double[] perHead = [.. json.GetProperty("per_head_acceptance").EnumerateArray().Select(e => e.GetDouble())];
            var perRank = json.GetProperty("per_head_rank_acceptance").EnumerateArray().ToArray();
            Assert.Equal(5, perHead.Length);                                   // K, though the tree uses 4
            Assert.Equal(5, perRank.Length);
            Assert.Equal(0, perHead[4]);
            for (int k = 0; k < 5; k++)
            {
                double[] byRank = [.. perRank[k].EnumerateArray().Select(e => e.GetDouble())];
                Assert.Equal(3, byRank.Length);                                // narrow's top-3
                Assert.InRange(perHead[k], 0, 1);
                Assert.Equal(perHead[k], byRank.Sum(), 1e-12);
            }

            double greedyRate = json.GetProperty("greedy_tokens_per_second").GetDouble();
            double rate = json.GetProperty("tokens_per_second").GetDouble();
            Assert.True(greedyRate > 0 && rate > 0);
            Assert.Equal(tokens / json.GetProperty("seconds").GetDouble(), rate, 1e-9);
            Assert.Equal(rate / greedyRate, json.GetProperty("speedup").GetDouble(), 1e-12);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TableNamesTheDecoderHeadsAndSpeeds()
    {
        var run = CliRunner.Run("eval", "--drafter", "medusa:random", "--tree", "chain", "--prompt-ids", "1,887,1099,561",
            "--max-new-tokens", "6", "--repeats", "1");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("", run.Stderr);
        string[] lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(7, lines.Length);                                       // summary, header, 4 heads, speeds
        Assert.Matches(@"^medusa \(4 heads\) on tree chain: 1 prompts, 6 new tokens in \d+ steps, \d\.\d{3} tokens per step$", lines[0]);
        Assert.Equal("head  offered accepted      r0", lines[1]);
        Assert.Matches(@"^1 +\d+ +\d+\.\d% +\d+\.\d%$", lines[2]);
        Assert.Matches(@"^greedy .* tokens/s; medusa .* tokens/s \(median of 1 runs\); speed-up \d+\.\d{3}x; 0 mismatches$", lines[6]);
    }

    [Theory]
    [InlineData("--prompt-ids 1,2", "--drafter is required")]
    [InlineData("--drafter greedy --prompt-ids 1,2", "nothing to compare")]
    [InlineData("--drafter medusa:random", "exactly one of --prompt-ids")]
    [InlineData("--drafter medusa:random --prompt-ids 1,2 --prompts x.txt", "exactly one of --prompt-ids")]
    [InlineData("--drafter medusa:random --prompt-ids 1,2 --max-prompts 3", "--max-prompts applies to a prompt file")]
    [InlineData("--drafter medusa:random --prompt-ids 1,2 --repeats 0", "--repeats must be at least 1")]
    [InlineData("--drafter medusa:random --prompt-ids 1,2 --temperature 1 --acceptance typical", "not lossless")]
    public void UsageMistakesAreRefusedBeforeAnyWork(string argv, string message)
    {
        var e = Assert.Throws<UsageException>(() => EvalCommand.Run(argv.Split(' ')));
        Assert.Contains(message, e.Message);
    }
}
