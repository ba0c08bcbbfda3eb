using System.Runtime.InteropServices;
using Amphista.Tensors.Kernels;

namespace Amphista.Cli.SelfTest;

/// <summary>
/// selftest's results (JSON field names are a contract for porting scripts): the machine and runtime, the
/// widths it accelerates and the one in use, what was checked against which reference, and where this
/// machine's bits first differ (null when they do not). With --write nothing is compared: Reference,
/// Passed and the differences are null and Written names the file.
/// </summary>
public sealed record SelfTestReport(
    string Runtime, string Os, string Architecture, string[] AcceleratedWidths, string VectorWidth, int Threads,
    string? Reference, string? Written, int Prompts, int LogitsRows, int GreedyTokens, string LogitsSha256,
    string? ReferenceLogitsSha256, bool? Passed, LogitsDifference? FirstDifference, GreedyDifference? FirstGreedyDifference)
{
    public static SelfTestReport Build(CpuKernels kernels, GoldenRecord computed, string? reference, string? written,
        GoldenRecord? expected, GoldenComparison? comparison) =>
        new(RuntimeInformation.FrameworkDescription, RuntimeInformation.OSDescription,
            RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
            [.. Tensors.Kernels.VectorWidth.Accelerated.Select(w => w.ToString())], kernels.Width.ToString(), kernels.Threads,
            reference, written, computed.Prompts.Length, computed.Prompts.Sum(p => p.LogitsSha256.Length),
            computed.Prompts.Sum(p => p.Greedy.Length), computed.LogitsSha256, expected?.LogitsSha256,
            comparison?.Identical, comparison?.FirstLogits, comparison?.FirstGreedy);

    public void WriteText()
    {
        Console.WriteLine($"runtime        {Runtime}");
        Console.WriteLine($"os             {Os}");
        Console.WriteLine($"architecture   {Architecture}");
        Console.WriteLine($"accelerated    {string.Join(", ", AcceleratedWidths)}");
        Console.WriteLine($"vector width   {VectorWidth}, {Threads} threads");
        Console.WriteLine($"computed       {Prompts} prompts: {LogitsRows} logits rows, {GreedyTokens} greedy tokens");
        Console.WriteLine($"logits sha256  {LogitsSha256}");
        if (Written is not null) Console.WriteLine($"wrote          {Written}");
        if (Reference is null) return;
        Console.WriteLine($"reference      {Reference}");
        Console.WriteLine($"               {ReferenceLogitsSha256}");
        Console.WriteLine(Passed == true ? "passed: this machine computes the reference bits" : "FAILED: this machine's bits differ from the reference");
    }
}
