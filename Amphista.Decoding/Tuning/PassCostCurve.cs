using System.Diagnostics;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Decoding.Tuning;

/// <summary>
/// The verification cost curve (SPEC §6): the time of one base-model pass over T new tokens after a
/// context of C tokens, T = 1, 2, 4, …, relative to T = 1. A one-token pass is bound by reading the
/// weights; each further token adds its multiply-adds, which are nearly free where arithmetic is
/// plentiful per byte read (a GPU) and cost about half a pass each on a 2-core CPU. Drafting trees are
/// chosen from this curve.
/// </summary>
public sealed record PassCostCurve(int Context, int[] Tokens, double[] Milliseconds)
{
    public static readonly int[] DefaultTokens = [1, 2, 4, 8, 16, 32, 64];

    /// <summary>Time of a pass over T tokens relative to one token, [T].</summary>
    public double[] Relative => [.. Milliseconds.Select(ms => ms / Milliseconds[0])];

    /// <summary>
    /// Relative cost of a pass over n tokens, linear between measured counts (and beyond the last,
    /// along its last segment): a tree of n nodes is one such pass.
    /// </summary>
    public double CostOf(int n)
    {
        var relative = Relative;
        int i = 1;
        while (i < Tokens.Length - 1 && Tokens[i] < n) i++;
        if (Tokens.Length == 1) return relative[0] * n;
        double slope = (relative[i] - relative[i - 1]) / (Tokens[i] - Tokens[i - 1]);
        return relative[i - 1] + slope * (n - Tokens[i - 1]);
    }

    /// <summary>
    /// Measures the curve: after a context of random tokens, runs of consecutive passes over each T
    /// in turn, repeats rounds (interleaved, so a slow patch of the machine hurts every T alike); the
    /// median of every timed pass. Decoding runs one tree size step after step, so each run starts
    /// with untimed passes of its own size: on the demo model, one-token passes right after a
    /// 64-token pass take up to twice their steady time and settle over about six passes (a few
    /// milliseconds), and timed there they made every larger pass look cheap (T = 4 measured 1.25 of
    /// T = 1 instead of about 2). A run settles for 8 passes or 25 ms and times 4 passes or 100 ms,
    /// whichever comes first (at least one of each), so slow passes of a large model stay affordable.
    /// </summary>
    public static PassCostCurve Measure(LlamaModel model, int context, int[] tokens, int repeats, int seed = 0)
    {
        int largest = tokens.Max();
        if (context + largest > model.Config.MaxPositions)
            throw new InputException($"a cost curve over {largest} tokens after {context} needs {context + largest} positions; the model has {model.Config.MaxPositions}");
        var rng = new Random(seed);
        using var sequence = model.CreateSequenceState();
        int[] prefix = [.. Enumerable.Range(0, context).Select(_ => rng.Next(model.Config.VocabSize))];
        model.Forward(sequence, prefix, [.. Enumerable.Range(0, context)], 0, AttentionMask.Causal(0, context));
        int[] ids = [.. Enumerable.Range(0, largest).Select(_ => rng.Next(model.Config.VocabSize))];
        int[] positions = [.. Enumerable.Range(context, largest)];
        var masks = tokens.Select(t => AttentionMask.Causal(context, t)).ToArray();
        var times = tokens.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < repeats; r++)
            for (int i = 0; i < tokens.Length; i++)
            {
                double Pass() => TimePass(model, sequence, ids.AsSpan(0, tokens[i]), positions.AsSpan(0, tokens[i]), context, masks[i]);
                for (double spent = 0, pass = 0; pass < SettlingPasses && spent < SettlingMilliseconds; pass++) spent += Pass();
                for (double spent = 0, pass = 0; pass < TimedPasses && spent < TimingMilliseconds; pass++)
                {
                    double ms = Pass();
                    times[i].Add(ms);
                    spent += ms;
                }
            }
        return new PassCostCurve(context, tokens, [.. times.Select(Statistics.Median)]);
    }

    private const int SettlingPasses = 8, TimedPasses = 4;
    private const double SettlingMilliseconds = 25, TimingMilliseconds = 100;

    private static double TimePass(LlamaModel model, SequenceState sequence, ReadOnlySpan<int> ids, ReadOnlySpan<int> positions,
        int context, AttentionMask mask)
    {
        long start = Stopwatch.GetTimestamp();
        var hidden = model.Forward(sequence, ids, positions, context, mask);
        model.Logits(sequence, hidden);
        model.Kernels.Synchronize();   // a device queues its kernels: the pass ends when they have run
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
