using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Amphista.Tests.Cli;

namespace Amphista.Tests.Server;

/// <summary>
/// amphista serve as a real process on a free loopback port (--port 0; the address is its first line), with an
/// HttpClient for it. Stop sends SIGTERM, as a service manager or Ctrl+C would, and returns how it ended.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60), StopTimeout = TimeSpan.FromSeconds(30);

    private readonly Process process;
    private readonly Task<string> stderr;

    public ServerProcess(params string[] flags)
    {
        var start = new ProcessStartInfo(CliRunner.Host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in (string[])[Path.Combine(AppContext.BaseDirectory, "amphista.dll"), "serve", "--port", "0", "--threads", "2", .. flags])
            start.ArgumentList.Add(arg);
        process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {CliRunner.Host}");
        stderr = process.StandardError.ReadToEndAsync();
        var firstLine = process.StandardOutput.ReadLineAsync();
        if (!firstLine.Wait(StartTimeout) || firstLine.Result is not { } line)
        {
            Dispose();
            throw new InvalidOperationException($"amphista serve printed no address; stderr: {stderr.Result}");
        }
        Address = new Uri(line[(line.LastIndexOf(" at ", StringComparison.Ordinal) + 4)..]);
        Http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri Address { get; }

    public HttpClient Http { get; }

    public async Task<JsonElement> Health() => await Http.GetFromJsonAsync<JsonElement>("/health");

    /// <summary>Polls /health until the condition holds, failing after a few seconds.</summary>
    public async Task WaitForHealth(Func<JsonElement, bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition(await Health()))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the server never reported {what}: {await Health()}");
            await Task.Delay(20);
        }
    }

    /// <summary>Sends SIGTERM and waits for the process to exit: its exit code and stderr.</summary>
    public (int ExitCode, string Stderr) Stop()
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()])) kill.WaitForExit();
        Assert.True(process.WaitForExit(StopTimeout), $"amphista serve did not exit within {StopTimeout.TotalSeconds} s of SIGTERM");
        process.WaitForExit();
        return (process.ExitCode, stderr.Result);
    }

    public void Dispose()
    {
        Http?.Dispose();
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        process.Dispose();
    }
}
