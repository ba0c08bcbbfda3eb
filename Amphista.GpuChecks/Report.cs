// What amphista-gpu-checks reports: each check's outcome and the kernel timings, as JSON through a
// source-generated serializer (reflection-based serialization is off in a trimmed build).
using System.Text.Json.Serialization;

namespace Amphista.GpuChecks;

/// <summary>One check: passed, or the failure's message (for a property, with FsCheck's smallest failing case).</summary>
public sealed record CheckResult(string Name, bool Passed, double Milliseconds, string? Error);

/// <summary>
/// One kernel timed: its shape, the rows T of the call, the mean time per call, the bytes the kernel must read
/// (weights, or the cached keys and values), that over the time, and (a product) the time over the same matrix's
/// T = 1 time.
/// </summary>
public sealed record Timing(string Kernel, string Shape, int T, double Microseconds, long Bytes, double GBPerSecond, double? RelativeToOneToken);

/// <summary>Passed: every check passed and the timing ran to the end.</summary>
public sealed record Report(string Device, string Kind, bool Passed, IReadOnlyList<CheckResult> Checks,
    IReadOnlyList<Timing> Timings, string? TimingError);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(Report))]
internal sealed partial class ReportJson : JsonSerializerContext;
