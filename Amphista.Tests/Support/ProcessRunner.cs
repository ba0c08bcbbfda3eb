using System.Diagnostics;
using Amphista.Tests.Cli;

namespace Amphista.Tests.Support;

/// <summary>Runs a program to completion as a separate process and captures what it printed.</summary>
public static class ProcessRunner
{
    /// <summary>
    /// Runs program with these arguments, with the variables added to (or replacing those of) the test process's
    /// environment, in the working directory if given; fails the test if it runs past the timeout.
    /// </summary>
    public static CliRun Run(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment,
        TimeSpan timeout, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        foreach (string arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        // Both pipes drain concurrently so a chatty process cannot block on a full one.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{Path.GetFileName(program)} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalSeconds} s");
        }
        process.WaitForExit();
        return new CliRun(process.ExitCode, stdout.Result, stderr.Result);
    }
}
