using System.Diagnostics;
using Amphista.Decoding;
using Amphista.Tensors.Gpu;

namespace Amphista.Cli.Bench;

/// <summary>
/// The timing loop: one warm-up generation per decoder, then R rounds; in each round every prompt is
/// decoded by every decoder, the order rotating by prompt and round, so a slow patch of a noisy
/// machine hurts all decoders alike. Seconds[d][r] is decoder d's total over round r's prompts;
/// DecodeSeconds[d][r] leaves out each prompt's first pass (up to the first new token), the part of
/// decoding that reads the weights once per step and so can be held against the memory roofline.
/// On a device, Work[d] counts decoder d's kernel launches, host reads and steps over the timed rounds.
/// </summary>
public sealed record BenchRun(double[][] Seconds, double[][] DecodeSeconds, DecodeResult[][] Results, DeviceWork[]? Work)
{
    public static BenchRun Time(IDecoder[] decoders, DecodeRequest[] requests, int rounds, GpuBackend? device)
    {
        foreach (var decoder in decoders) decoder.Generate(requests[0]);
        var seconds = decoders.Select(_ => new double[rounds]).ToArray();
        var decodeSeconds = decoders.Select(_ => new double[rounds]).ToArray();
        var results = decoders.Select(_ => new DecodeResult[requests.Length]).ToArray();
        var work = device is null ? null : new DeviceWork[decoders.Length];
        for (int r = 0; r < rounds; r++)
            for (int p = 0; p < requests.Length; p++)
                for (int i = 0; i < decoders.Length; i++)
                {
                    int d = (i + p + r) % decoders.Length;
                    var (launches, reads) = (device?.Launches ?? 0, device?.HostReads ?? 0);
                    long start = Stopwatch.GetTimestamp(), first = 0;
                    var result = decoders[d].Generate(requests[p], _ => first = first == 0 ? Stopwatch.GetTimestamp() : first);
                    long end = Stopwatch.GetTimestamp();
                    seconds[d][r] += Stopwatch.GetElapsedTime(start, end).TotalSeconds;
                    decodeSeconds[d][r] += Stopwatch.GetElapsedTime(first, end).TotalSeconds;
                    results[d][p] ??= result;
                    if (work is not null) work[d] += new DeviceWork(device!.Launches - launches, device.HostReads - reads, result.Steps);
                }
        return new BenchRun(seconds, decodeSeconds, results, work);
    }
}

/// <summary>Kernel launches and host reads (each a wait for the device) over some decoding steps.</summary>
public readonly record struct DeviceWork(long Launches, long HostReads, long Steps)
{
    public static DeviceWork operator +(DeviceWork a, DeviceWork b) =>
        new(a.Launches + b.Launches, a.HostReads + b.HostReads, a.Steps + b.Steps);

    public double LaunchesPerStep => (double)Launches / Steps;

    public double HostReadsPerStep => (double)HostReads / Steps;
}
