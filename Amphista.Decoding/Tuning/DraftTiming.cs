using System.Diagnostics;
using Amphista.Decoding.Drafting;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Decoding.Tuning;

/// <summary>
/// The time of one drafting step as the decoding loop runs it: commit the rows a step accepts
/// (two, a typical accepted length) and draft every head's top-k. Measured after a random context,
/// the median over repeats, in milliseconds.
/// </summary>
public static class DraftTiming
{
    public const int RowsPerStep = 2;

    public static double Measure(LlamaModel model, IDrafter drafter, int context, int topK, int repeats, int seed = 0)
    {
        int n = context + RowsPerStep * (repeats + 1);
        var rng = new Random(seed);
        int[] tokens = [.. Enumerable.Range(0, n + 1).Select(_ => rng.Next(model.Config.VocabSize))];
        var hidden = model.Forward(model.CreateCache(), tokens.AsSpan(0, n), [.. Enumerable.Range(0, n)], 0, AttentionMask.Causal(0, n));
        var session = drafter.Begin(model);
        session.Commit(Rows(hidden, 0, context), [.. Enumerable.Range(0, context)], tokens.AsSpan(1, context));
        var times = new double[repeats];
        for (int r = -1, at = context; r < repeats; r++, at += RowsPerStep)   // round -1 warms up
        {
            var rows = Rows(hidden, at, RowsPerStep);
            int[] positions = [at, at + 1];
            long start = Stopwatch.GetTimestamp();
            session.Commit(rows, positions, tokens.AsSpan(at + 1, RowsPerStep));
            session.Draft(topK);
            if (r >= 0) times[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return Statistics.Median(times);
    }

    private static Tensor Rows(Tensor x, int first, int count) =>
        new(count, x.Cols, x.Span.Slice(first * x.Cols, count * x.Cols).ToArray());
}
