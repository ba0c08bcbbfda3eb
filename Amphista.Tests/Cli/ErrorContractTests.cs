namespace Amphista.Tests.Cli;

/// <summary>
/// The error contract of the amphista command: one "amphista: ..." line on stderr, nothing on stdout,
/// exit 2 for usage mistakes and 1 for bad input; the stack trace only with --verbose.
/// </summary>
public class ErrorContractTests
{
    private static readonly string TooLong = string.Join(',', Enumerable.Repeat(1, 1025));   // the demo context holds 1024

    public static TheoryData<string[], int, string> Cases => new()
    {
        { ["generate", "--prompt-ids", "1,2", "--bogus"], 2, "unknown argument '--bogus'" },
        { ["launch"], 2, "unknown command 'launch'" },
        { ["forward", "--prompt-ids", "1,2"], 2, "--out is required" },
        { ["verify", "--random-prompts", "2"], 2, "--drafter is required" },
        { ["verify", "--drafter", "medusa:random"], 2, "give exactly one of --prompt-ids" },
        { ["generate", "--prompt-ids", "1,2", "--max-new-tokens", "many"], 2, "--max-new-tokens expects an integer" },
        { ["generate", "--prompt-ids", "1,4096"], 1, "token id 4096 is outside the vocabulary" },
        { ["generate", "--prompt-ids", TooLong], 1, "the prompt has 1025 tokens but the model's context holds 1024" },
        { ["verify", "--drafter", "medusa:random", "--prompt-ids", TooLong], 1, "prompt 1: the prompt has 1025 tokens" },
        { ["generate", "--model", "/no/such/model", "--prompt-ids", "1"], 1, "/no/such/model" },
        { ["generate", "--drafter", "hydra:random", "--prompt-ids", "1"], 1, "unknown drafter 'hydra:random'" },
        { ["generate", "--drafter", "medusa:random", "--tree", "sequoia", "--prompt-ids", "1"], 1, "unknown tree 'sequoia'" },
        { ["generate", "--drafter", "medusa:random", "--tree", "auto", "--prompt-ids", "1"], 2, "--tree auto prices trees with the acceptance profile stored in a drafter directory" },
        { ["bench", "--drafters", "greedy,hydra:random"], 1, "unknown drafter 'hydra:random'" },
        { ["eval", "--drafter", "medusa:random", "--prompt-ids", "1", "--save-profile"], 2, "--save-profile stores the acceptance profile in a drafter directory" },
        { ["generate", "--drafter", "medusa:random", "--heads", "2", "--prompt-ids", "1"], 1, "has 2 heads" },
        { ["generate", "--drafter", "greedy", "--tree", "chain", "--prompt-ids", "1"], 2, "--tree and --heads need a drafter" },
        { ["generate", "--drafter", "greedy", "--temperature", "0.7", "--acceptance", "typical", "--prompt-ids", "1"], 2, "--acceptance typical needs a drafter" },
        { ["generate", "--drafter", "medusa:random", "--seed", "3", "--prompt-ids", "1"], 2, "--seed needs --temperature > 0" },
        { ["generate", "--top-k", "3", "--prompt-ids", "1"], 2, "--top-k needs --temperature > 0" },
        { ["generate", "--temperature", "-0.5", "--prompt-ids", "1"], 2, "--temperature must be at least 0" },
        { ["generate", "--temperature", "NaN", "--prompt-ids", "1"], 2, "--temperature expects a number, got 'NaN'" },
        { ["generate", "--temperature", "warm", "--prompt-ids", "1"], 2, "--temperature expects a number, got 'warm'" },
        { ["generate", "--temperature", "1", "--top-p", "0", "--prompt-ids", "1"], 2, "--top-p must lie in (0, 1], got 0" },
        { ["generate", "--temperature", "1", "--top-p", "1.5", "--prompt-ids", "1"], 2, "--top-p must be at most 1" },
        { ["generate", "--temperature", "1", "--top-k", "0", "--prompt-ids", "1"], 2, "--top-k must be at least 1" },
        { ["generate", "--temperature", "1", "--seed", "18446744073709551616", "--prompt-ids", "1"], 2, "--seed expects a 64-bit integer" },
        { ["generate", "--temperature", "1", "--seed", "1.5", "--prompt-ids", "1"], 2, "--seed expects a 64-bit integer" },
        { ["generate", "--temperature", "1", "--acceptance", "rejection", "--prompt-ids", "1"], 2, "--acceptance expects exact or typical" },
        { ["generate", "--temperature", "1", "--posterior-alpha", "0.2", "--prompt-ids", "1"], 2, "--posterior-alpha tunes --acceptance typical" },
        { ["verify", "--drafter", "medusa:random", "--random-prompts", "2", "--temperature", "0.7", "--acceptance", "typical"], 2, "not lossless" },
        { ["verify", "--drafter", "medusa:random", "--prompt-ids", "1", "--seed", "2"], 2, "--seed only applies to --random-prompts and sampling" },
        { ["verify", "--drafter", "greedy", "--random-prompts", "2"], 2, "nothing to verify" },
        { ["verify", "--drafter", "medusa:random", "--prompts", "/no/such/prompts.txt"], 1, "prompt file '/no/such/prompts.txt' not found" },
    };

    [Theory, MemberData(nameof(Cases))]
    public void ErrorsAreOneLineWithTheirExitCode(string[] args, int exitCode, string message) =>
        CliRunner.Run(args).AssertError(exitCode, message);

    [Fact]
    public void VerboseAddsTheStackTrace()
    {
        var run = CliRunner.Run("generate", "--prompt-ids", "1,4096", "--verbose");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("token id 4096 is outside the vocabulary", run.StderrLines[0]);
        Assert.Contains(run.StderrLines, line => line.StartsWith("at Amphista."));
    }
}
