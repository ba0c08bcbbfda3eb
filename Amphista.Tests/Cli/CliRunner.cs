using System.Diagnostics;
using System.Text.Json;

namespace Amphista.Tests.Cli;

/// <summary>What one run of the amphista command printed and returned.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Stdout as one JSON object, after checking the run succeeded.</summary>
    public JsonElement Json()
    {
        Assert.True(ExitCode == 0, $"exit code {ExitCode}; stderr: {Stderr}");
        using var document = JsonDocument.Parse(Stdout);
        return document.RootElement.Clone();
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
    public static CliRun Run(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo(Host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "amphista.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Host}");
        // Both pipes drain concurrently so a chatty process cannot block on a full one.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"amphista {string.Join(' ', args)} did not finish within {Timeout.TotalSeconds} s");
        }
        process.WaitForExit();
        return new CliRun(process.ExitCode, stdout.Result, stderr.Result);
    }
}
