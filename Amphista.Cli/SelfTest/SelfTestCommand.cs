using System.Diagnostics;
using Amphista.Tensors.Kernels;

namespace Amphista.Cli.SelfTest;

/// <summary>
/// amphista selftest [--json] [--threads N] [--vector-width 512|256|128|scalar] [--reference FILE | --write FILE]
/// For porters: the runtime, OS, architecture and vector widths of this machine, and whether it computes
/// the demo model's golden record (<see cref="GoldenRecord"/>) bit for bit. Exit 0 only if it does;
/// otherwise 1 with one line naming the first prompt and position that differ. --write FILE stores what
/// this machine computes for the built-in prompts (after an intended change of the reduction order).
/// </summary>
public static class SelfTestCommand
{
    public static int Run(string[] argv)
    {
        var args = new CliArguments("selftest", argv,
            new HashSet<string>(["--threads", "--vector-width", "--reference", "--write"]),
            new HashSet<string>(["--json", "--verbose"]));
        string? written = args.Get("--write");
        if (written is not null && args.Has("--reference"))
            throw new UsageException("selftest: --write records the built-in prompts and compares nothing; give it without --reference");
        string? reference = written is null ? args.Get("--reference") ?? GoldenRecord.ShippedPath : null;
        var expected = reference is null ? null : GoldenRecord.Load(reference);

        var model = ModelOptions.LoadModel(args);
        var clock = Stopwatch.StartNew();
        var computed = expected?.Recompute(model) ?? GoldenRecord.ComputeBuiltIn(model);
        if (args.Has("--verbose")) Console.Error.WriteLine($"selftest: computed in {clock.Elapsed.TotalSeconds:F2} s");
        if (written is not null) computed.Save(written);

        var comparison = expected is null ? null : GoldenComparison.Of(expected, computed);
        var report = SelfTestReport.Build((CpuKernels)model.Kernels, computed, reference, written, expected, comparison);
        if (args.Has("--json")) JsonOutput.Write(report);
        else report.WriteText();
        if (comparison is null || comparison.Identical) return 0;
        Console.Error.WriteLine($"amphista: selftest: {comparison.Describe()}");
        return 1;
    }
}
