using System.Globalization;
using Amphista.Decoding.Tuning;
using Amphista.Model.Llama;
using Amphista.Tensors.Gpu;
using Amphista.Tensors.Kernels;

namespace Amphista.Cli.Bench;

/// <summary>
/// bench's results (JSON field names are a contract): per decoder tokens/s (median and range over
/// rounds), speed-up over greedy (median and range of the per-round ratios: each round's decoders ran
/// side by side), the decode speed-up (the same after each prompt's first pass, which every decoder
/// spends alike: the steady state that the expected speed-up, when a cost model gave one, predicts), mean accepted length, mismatches against greedy; the machine's bandwidth, greedy's
/// decode speed (new tokens after the first, over the time after the first: the prompt pass is
/// compute, not weight reads) and its share of the memory roofline (weight bytes per token × decode
/// tokens/s ÷ bandwidth), and the cost curve. VectorWidth is the CPU kernels' width (null on a GPU);
/// AcceleratedWidths those this machine runs in hardware. Sampling is null for greedy decoding; under
/// sampling every decoder samples with it, and "greedy" names the plain decoder. On a device each decoder
/// reports its kernel launches and host reads (waits for the device) per step, the prompt's pass included
/// (null on the CPU).
/// </summary>
public sealed record BenchReport(
    string Model, string Device, int Threads, string? VectorWidth, string[] AcceleratedWidths, long WeightBytesPerToken, double BandwidthGbPerSecond,
    double GreedyDecodeTokensPerSecond, double GreedyRooflineFraction,
    int Prompts, int NewTokens, int Rounds, BenchDecoderReport[] Decoders, PassCostPoint[] PassCost, SamplingReport? Sampling)
{
    public static BenchReport Build(LlamaModel model, string modelName, double bandwidth, PassCostCurve curve,
        BenchDecoder[] decoders, BenchRun run, SamplingReport? sampling)
    {
        int rounds = run.Seconds[0].Length;
        var greedyTokens = run.Results[0].Sum(r => r.Tokens.Length);
        var rates = decoders.Select((_, d) => run.Seconds[d].Select(s => run.Results[d].Sum(r => r.Tokens.Length) / s).ToArray()).ToArray();
        // After the prompt pass every decoder emits the same tokens after the first; their time is the steady state a cost model prices.
        var decodeRates = decoders.Select((_, d) => run.DecodeSeconds[d].Select(s => run.Results[d].Sum(r => r.Tokens.Length - 1) / s).ToArray()).ToArray();
        var reports = decoders.Select((dec, d) =>
        {
            var ratios = rates[d].Zip(rates[0], (a, g) => a / g).ToArray();
            var decodeRatios = decodeRates[d].Zip(decodeRates[0], (a, g) => a / g).ToArray();
            int mismatches = run.Results[d].Zip(run.Results[0], (a, g) => a.Tokens.AsSpan().SequenceEqual(g.Tokens) ? 0 : 1).Sum();
            double accepted = (double)run.Results[d].Sum(r => r.Tokens.Length) / run.Results[d].Sum(r => r.Steps);
            return new BenchDecoderReport(dec.Name, dec.Tree?.Name ?? "-", Statistics.Median(rates[d]), rates[d].Min(), rates[d].Max(),
                Statistics.Median(ratios), ratios.Min(), ratios.Max(),
                Statistics.Median(decodeRatios), decodeRatios.Min(), decodeRatios.Max(), dec.ExpectedSpeedup, accepted, mismatches,
                run.Work?[d].LaunchesPerStep, run.Work?[d].HostReadsPerStep);
        }).ToArray();
        long bytes = model.Weights.DecodeBytesPerToken;
        int decodeTokens = run.Results[0].Sum(r => r.Tokens.Length - 1);
        double decodeRate = Statistics.Median(run.DecodeSeconds[0].Select(s => decodeTokens / s).ToArray());
        double fraction = decodeRate * bytes / (bandwidth * 1e9);
        var points = curve.Tokens.Select((t, i) => new PassCostPoint(t, curve.Milliseconds[i], curve.Relative[i])).ToArray();
        var cpu = model.Kernels as CpuKernels;
        string device = model.Kernels is GpuBackend gpu ? gpu.Device.ToString() : "cpu";
        return new BenchReport(modelName, device, cpu?.Threads ?? 1, cpu?.Width.ToString(),
            [.. Tensors.Kernels.VectorWidth.Accelerated.Select(w => w.ToString())], bytes, bandwidth, decodeRate, fraction, run.Results[0].Length,
            greedyTokens, rounds, reports, points, sampling);
    }

    /// <summary>"cpu, 2 threads, 512-bit vectors" or the device, for titles.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Machine => VectorWidth switch
    {
        null => Device,
        "scalar" => $"cpu, {Threads} threads, scalar",
        _ => $"cpu, {Threads} threads, {VectorWidth}-bit vectors",
    };

    public static void WriteText(BenchReport r, string chart)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"{r.Model} on {r.Machine}: {r.Prompts} prompts, {r.NewTokens} greedy tokens, {r.Rounds} rounds"));
        Console.WriteLine($"vector widths this machine accelerates: {string.Join(", ", r.AcceleratedWidths)}");
        Console.WriteLine($"{"decoder",-10} {"tokens/s",9} {"range",17} {"speed-up",9} {"range",15} {"decode",8} {"expected",8} {"tok/step",8} {"mismatch",8}  tree");
        foreach (var d in r.Decoders)
            Console.WriteLine(string.Create(c,
                $"{d.Name,-10} {d.TokensPerSecond,9:F1} {$"{d.TokensPerSecondMin:F1}-{d.TokensPerSecondMax:F1}",17} {d.Speedup,8:F3}x " +
                $"{$"{d.SpeedupMin:F2}-{d.SpeedupMax:F2}x",15} {d.DecodeSpeedup,7:F3}x {(d.ExpectedSpeedup is { } e ? $"{e:F3}x" : "-"),8} {d.MeanAccepted,8:F2} {d.Mismatches,8}  {d.Tree}"));
        foreach (var d in r.Decoders.Where(d => d.LaunchesPerStep is not null))
            Console.WriteLine(string.Create(c, $"{d.Name}: {d.LaunchesPerStep:F1} kernel launches and {d.HostReadsPerStep:F2} host reads per step"));
        Console.WriteLine(string.Create(c,
            $"greedy decodes {r.GreedyDecodeTokensPerSecond:F1} tokens/s after the prompt pass, reading {r.WeightBytesPerToken / 1e6:F1} MB " +
            $"of weights per token: {100 * r.GreedyRooflineFraction:F1}% of the memory roofline " +
            $"({r.BandwidthGbPerSecond * 1e9 / r.WeightBytesPerToken:F1} tokens/s at {r.BandwidthGbPerSecond:F1} GB/s)"));
        Console.WriteLine("pass over T tokens, relative to T = 1: " +
            string.Join(", ", r.PassCost.Select(p => string.Create(c, $"T={p.Tokens} {p.Relative:F2}x ({p.Milliseconds:F2} ms)"))));
        Console.WriteLine($"wrote {chart}");
    }
}

public sealed record BenchDecoderReport(
    string Name, string Tree, double TokensPerSecond, double TokensPerSecondMin, double TokensPerSecondMax,
    double Speedup, double SpeedupMin, double SpeedupMax, double DecodeSpeedup, double DecodeSpeedupMin, double DecodeSpeedupMax, double? ExpectedSpeedup, double MeanAccepted, int Mismatches,
    double? LaunchesPerStep, double? HostReadsPerStep);

public sealed record PassCostPoint(int Tokens, double Milliseconds, double Relative);
