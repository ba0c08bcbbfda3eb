using System.Diagnostics;
using Amphista.Decoding.Drafting;
using Amphista.Decoding.Trees;
using Amphista.Model.Llama;

namespace Amphista.Decoding.Tuning;

/// <summary>
/// What a speculative step costs beyond its verification pass, in greedy steps: drafting, the
/// acceptance walk, cache compaction and the drafter's commit. Measured as decoding runs it, with the
/// smallest tree ([[0]], a two-token pass): (time per speculative step) / (time per greedy step)
/// minus the curve's cost of a two-token pass. Both times leave out the prompt pass.
/// </summary>
public static class DraftTiming
{
    public static double StepOverhead(LlamaModel model, IDrafter drafter, IReadOnlyList<int[]> prompts, int maxNewTokens, PassCostCurve curve)
    {
        var requests = prompts.Select(p => new DecodeRequest(p, maxNewTokens, model.Config.EosTokenIds)).ToArray();
        var greedy = new GreedyDecoder(model);
        var speculative = new SpeculativeDecoder(model, drafter, DraftTree.FromPaths("[[0]]", [[0]]));
        PerStep(greedy, requests[..1]);   // warm-up
        PerStep(speculative, requests[..1]);
        return PerStep(speculative, requests) / PerStep(greedy, requests) - curve.CostOf(2);
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
