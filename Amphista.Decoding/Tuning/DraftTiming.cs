using System.Diagnostics;
using Amphista.Decoding.Drafting;
using Amphista.Decoding.Trees;
using Amphista.Model.Llama;

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
/// prompt pass. The per-head slope is kept at or above zero (noise must not make heads free).
/// </summary>
public static class DraftTiming
{
    public static DraftOverhead Measure(LlamaModel model, IDrafter drafter, IReadOnlyList<int[]> prompts, int maxNewTokens, PassCostCurve curve)
    {
        var requests = prompts.Select(p => new DecodeRequest(p, maxNewTokens, model.Config.EosTokenIds)).ToArray();
        var greedy = new GreedyDecoder(model);
        PerStep(greedy, requests[..1]);   // warm-up
        double greedyStep = PerStep(greedy, requests);
        double Overhead(int depth)
        {
            var chain = DraftTree.FromPaths("chain", [.. Enumerable.Range(1, depth).Select(d => new int[d])]);
            var speculative = new SpeculativeDecoder(model, drafter, chain);
            PerStep(speculative, requests[..1]);   // warm-up
            return PerStep(speculative, requests) / greedyStep - curve.CostOf(depth + 1);
        }
        double first = Overhead(1);
        if (drafter.Heads == 1) return new DraftOverhead(first, 0);
        double last = Overhead(drafter.Heads);
        return new DraftOverhead(first, Math.Max(0, (last - first) / (drafter.Heads - 1)));
    }

    /// <summary>Seconds per base-model pass after each prompt's first.</summary>
    private static double PerStep(IDecoder decoder, DecodeRequest[] requests)
    {
        double seconds = 0;
        int steps = 0;
        foreach (var request in requests)
        {
            long first = 0;
            var result = decoder.Generate(request, _ => first = first == 0 ? Stopwatch.GetTimestamp() : first);
            seconds += Stopwatch.GetElapsedTime(first).TotalSeconds;
            steps += result.Steps - 1;
        }
        return steps == 0 ? throw new Amphista.Tensors.InputException("no step after the prompt pass to time: give longer continuations") : seconds / steps;
    }
}
