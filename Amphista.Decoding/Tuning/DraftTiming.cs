using System.Diagnostics;
using Amphista.Decoding.Drafting;
using Amphista.Decoding.Trees;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Decoding.Tuning;

/// <summary>
/// What a speculative step costs beyond its verification pass, in greedy steps, for a tree of
/// depth d: drafting heads 0..d-1, the acceptance walk, cache compaction and the drafter's commit.
/// A step drafts only the heads its tree reads, so the cost grows with d: FirstHead at d = 1, then
/// PerExtraHead for each further head (linear between the two depths measured).
/// </summary>
public sealed record DraftOverhead(double FirstHead, double PerExtraHead)
{
    public double At(int depth) => depth == 0 ? 0 : FirstHead + (depth - 1) * PerExtraHead;
}

/// <summary>
/// Measures <see cref="DraftOverhead"/> as decoding runs: (time per speculative step) / (time per
/// greedy step) minus the curve's cost of the step's pass, with the chain [[0]] (depth 1, a two-token
/// pass) and the chain through all K heads (depth K, a (K + 1)-token pass). Both times leave out the
/// prompt pass. Greedy decoding and the two chains take turns prompt by prompt, in rotating order, for
/// a few rounds, and each depth's overhead is the median of the rounds' ratios, so a slow patch of a
/// shared machine hurts all three alike. The per-head slope is kept at or above zero (noise must not
/// make heads free).
/// </summary>
public static class DraftTiming
{
    public const int Rounds = 3;

    public static DraftOverhead Measure(LlamaModel model, IDrafter drafter, IReadOnlyList<int[]> prompts, int maxNewTokens, PassCostCurve curve)
    {
        var requests = prompts.Select(p => new DecodeRequest(p, maxNewTokens, model.Config.EosTokenIds)).ToArray();
        int[] depths = drafter.Heads == 1 ? [1] : [1, drafter.Heads];
        IDecoder[] decoders = [new PlainDecoder(model), .. depths.Select(d => new SpeculativeDecoder(model, drafter, Chain(d)))];
        foreach (var decoder in decoders) decoder.Generate(requests[0]);   // warm-up
        var overheads = depths.Select(_ => new List<double>()).ToArray();
        for (int round = 0; round < Rounds; round++)
        {
            var (seconds, steps) = (new double[decoders.Length], new int[decoders.Length]);
            for (int p = 0; p < requests.Length; p++)
                for (int i = 0; i < decoders.Length; i++)
                {
                    int d = (i + p + round) % decoders.Length;
                    var (s, n) = AfterPrompt(decoders[d], requests[p]);
                    (seconds[d], steps[d]) = (seconds[d] + s, steps[d] + n);
                }
            if (steps.Any(n => n == 0)) throw new InputException("no step after the prompt pass to time: give longer continuations");
            double greedyStep = seconds[0] / steps[0];
            for (int k = 0; k < depths.Length; k++)
                overheads[k].Add(seconds[k + 1] / steps[k + 1] / greedyStep - curve.CostOf(depths[k] + 1));
        }
        double first = Statistics.Median(overheads[0]);
        if (depths.Length == 1) return new DraftOverhead(first, 0);
        double last = Statistics.Median(overheads[1]);
        return new DraftOverhead(first, Math.Max(0, (last - first) / (drafter.Heads - 1)));
    }

    private static DraftTree Chain(int depth) => DraftTree.FromPaths("chain", [.. Enumerable.Range(1, depth).Select(d => new int[d])]);

    /// <summary>Seconds and base-model passes after the prompt's.</summary>
    private static (double Seconds, int Steps) AfterPrompt(IDecoder decoder, DecodeRequest request)
    {
        long first = 0;
        var result = decoder.Generate(request, _ => first = first == 0 ? Stopwatch.GetTimestamp() : first);
        return (Stopwatch.GetElapsedTime(first).TotalSeconds, result.Steps - 1);
    }
}
