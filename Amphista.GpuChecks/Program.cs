// amphista-gpu-checks [--device cuda|cpu-sim] [--only checks|timings] [--json]: the checks the CUDA tests run
// (PtxChecks, GpuSuite) and a kernel timing table, without a test host. The GPU machine has no .NET SDK, so scripts/gpu/publish.sh
// builds this self-contained and scripts/gpu/run-on-device.sh runs it there; --device cpu-sim runs the same
// program on ILGPU's CPU simulator at tiny shapes, to check a build before it travels.
// Exit 0 when every check passes, 1 when one fails (or the timing breaks), 2 for bad arguments or no device.
using System.Diagnostics;
using System.Text.Json;
using Amphista.GpuChecks;
using Amphista.Tensors.Gpu;
using Amphista.Tests.Gpu;

const string Usage = """
    usage: amphista-gpu-checks [--device cuda|cpu-sim] [--only checks|timings] [--json]
      --device  cuda (default): the first CUDA GPU, the CUDA tests' sizes and a Llama-7B-sized timing table;
                cpu-sim: ILGPU's CPU simulator, the simulator tests' tiny sizes and a tiny timing table
      --only    run the checks alone, or the timing table alone (default: both)
      --json    the report as JSON on stdout; progress goes to stderr
    """;

string kind = "cuda";
string? only = null;
bool json = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--device":
            kind = i + 1 < args.Length ? args[++i] : "";
            if (kind is not ("cuda" or "cpu-sim")) return Fail($"--device takes cuda or cpu-sim, not '{kind}'");
            break;
        case "--only":
            only = i + 1 < args.Length ? args[++i] : "";
            if (only is not ("checks" or "timings")) return Fail($"--only takes checks or timings, not '{only}'");
            break;
        case "--json":
            json = true;
            break;
        case "--help" or "-h":
            Console.WriteLine(Usage);
            return 0;
        default:
            return Fail($"unexpected argument '{args[i]}'");
    }
}
if (kind == "cuda" && !GpuDevice.CudaAvailable)
{
    Console.Error.WriteLine("amphista-gpu-checks: ILGPU finds no CUDA device (--device cpu-sim runs the CPU simulator)");
    return 2;
}

// With --json, stdout carries the report alone: whatever else is written (FsCheck's "Ok, passed" too) goes to stderr.
var stdout = Console.Out;
if (json) Console.SetOut(Console.Error);
using var device = kind == "cuda" ? GpuDevice.CreateCuda() : GpuDevice.CreateCpuSimulator();
using var kernels = new GpuKernels(device);
Console.WriteLine($"device: {device}");

var suite = kind == "cuda" ? GpuSuite.Cuda(kernels) : GpuSuite.Simulator(kernels);
List<CheckResult> checks = [];
IEnumerable<(string Name, Action Run)> toRun = only == "timings" ? [] : [("PtxCodeGeneration", PtxChecks.ExplicitlyRounded), .. suite.Checks];
foreach (var (name, run) in toRun)
{
    var clock = Stopwatch.StartNew();
    string? error = null;
    try
    {
        run();
    }
    catch (Exception e)
    {
        error = e.Message;
    }
    var result = new CheckResult(name, error is null, Math.Round(clock.Elapsed.TotalMilliseconds), error);
    checks.Add(result);
    Console.WriteLine(result.Passed ? $"  passed {name} [{result.Milliseconds} ms]" : $"  FAILED {name} [{result.Milliseconds} ms]: {error}");
}
Console.WriteLine($"{checks.Count(c => c.Passed)} passed, {checks.Count(c => !c.Passed)} failed");

var plan = kind == "cuda" ? TimingPlan.Cuda : TimingPlan.Simulator;
List<Timing> timings = [];
string? timingError = null;
if (only != "checks")
{
    try
    {
        KernelTimings.Run(kernels, plan, timings.Add);
    }
    catch (Exception e)
    {
        timingError = e.ToString();
        Console.WriteLine($"timing failed: {e}");
    }
    Console.WriteLine(KernelTimings.Table(device, plan, timings));
}

var report = new Report(device.Name, device.Kind, checks.All(c => c.Passed) && timingError is null, checks, timings, timingError);
if (json) stdout.WriteLine(JsonSerializer.Serialize(report, ReportJson.Default.Report));
return report.Passed ? 0 : 1;

static int Fail(string message)
{
    Console.Error.WriteLine($"amphista-gpu-checks: {message}\n{Usage}");
    return 2;
}
