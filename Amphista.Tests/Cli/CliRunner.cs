using System.Text.Json;
using Amphista.Tests.Support;

namespace Amphista.Tests.Cli;

/// <summary>What one run of the amphista command printed and returned.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Stdout as one JSON object, after checking the run succeeded.</summary>
    public JsonElement Json()
    {
        AssertSucceeded();
        using var document = JsonDocument.Parse(Stdout);
        return document.RootElement.Clone();
    }

    /// <summary>Checks the run exited 0, showing all it printed if not.</summary>
    public CliRun AssertSucceeded()
    {
        Assert.True(ExitCode == 0, $"exit code {ExitCode}; stderr: {Stderr}\nstdout: {Stdout}");
        return this;
    }

    /// <summary>The error contract: this exit code, and exactly one "amphista: ..." line on stderr (no stack trace).</summary>
    public void AssertError(int exitCode, string messagePart)
    {
        Assert.True(ExitCode == exitCode, $"exit code {ExitCode}, expected {exitCode}; stderr: {Stderr}");
        string line = Assert.Single(StderrLines);
        Assert.StartsWith("amphista: ", line);
        Assert.Contains(messagePart, line);
        Assert.Equal("", Stdout);
    }
}

/// <summary>
/// Runs the real amphista command as a separate process: amphista.dll sits in the test output (the test
/// project references the CLI), under the same dotnet host that runs the tests.
/// </summary>
public static class CliRunner
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>The dotnet host that runs the tests, which runs amphista.dll too.</summary>
    public static string Host => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    public static CliRun Run(params string[] args) => Run(new Dictionary<string, string>(), args);

    /// <summary>Runs with these variables added to (or replacing those of) the test process's environment: the runtime's knobs.</summary>
    public static CliRun Run(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        ProcessRunner.Run(Host, [Path.Combine(AppContext.BaseDirectory, "amphista.dll"), .. args], environment, Timeout);
}
