using System.Diagnostics;
using Amphista.Decoding;

namespace Amphista.Cli.Bench;

/// <summary>
/// The timing loop: one warm-up generation per decoder, then R rounds; in each round every prompt is
/// decoded by every decoder, the order rotating by prompt and round, so a slow patch of a noisy
/// machine hurts all decoders alike. Seconds[d][r] is decoder d's total over round r's prompts;
/// DecodeSeconds[d][r] leaves out each prompt's first pass (up to the first new token), the part of
/// decoding that reads the weights once per step and so can be held against the memory roofline.
/// </summary>
public sealed record BenchRun(double[][] Seconds, double[][] DecodeSeconds, DecodeResult[][] Results)
{
    public static BenchRun Time(IDecoder[] decoders, DecodeRequest[] requests, int rounds)
    {
        foreach (var decoder in decoders) decoder.Generate(requests[0]);
        var seconds = decoders.Select(_ => new double[rounds]).ToArray();
        var decodeSeconds = decoders.Select(_ => new double[rounds]).ToArray();
        var results = decoders.Select(_ => new DecodeResult[requests.Length]).ToArray();
        for (int r = 0; r < rounds; r++)
            for (int p = 0; p < requests.Length; p++)
                for (int i = 0; i < decoders.Length; i++)
                {
                    int d = (i + p + r) % decoders.Length;
                    long start = Stopwatch.GetTimestamp(), first = 0;
                    var result = decoders[d].Generate(requests[p], _ => first = first == 0 ? Stopwatch.GetTimestamp() : first);
                    long end = Stopwatch.GetTimestamp();
                    seconds[d][r] += Stopwatch.GetElapsedTime(start, end).TotalSeconds;
                    decodeSeconds[d][r] += Stopwatch.GetElapsedTime(first, end).TotalSeconds;
                    results[d][p] ??= result;
                }
        return new BenchRun(seconds, decodeSeconds, results);
    }
}
