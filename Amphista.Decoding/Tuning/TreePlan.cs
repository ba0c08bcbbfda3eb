using Amphista.Decoding.Drafting;
using Amphista.Decoding.Trees;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Decoding.Tuning;

/// <summary>
/// What speculation is expected to gain with one drafter on one machine (SPEC §6): the measured
/// verification cost curve, the measured draft overhead by depth and an acceptance profile, priced by
/// <see cref="HardwareAwareTree"/>. Speed-ups are relative to greedy decoding on the same machine.
/// </summary>
public sealed record TreePlan(PassCostCurve Curve, DraftOverhead Overhead, AcceptanceProfile Profile)
{
    /// <summary>Random prompts for timing: what the drafter proposes does not change what a step costs much.</summary>
    public const int TimingPromptLength = 8, TimingPrompts = 4;

    /// <summary>The tree with the most expected tokens per unit of time, up to maxNodes nodes, or the root alone.</summary>
    public HardwareAwareTree.Choice Best(int maxNodes) => HardwareAwareTree.Choose(Profile, Curve, Overhead, maxNodes);

    /// <summary>
    /// Why a tree: the measured costs, the tree with its expected tokens per step, step time and
    /// speed-up, and when it is the root alone, the best tree that lost to greedy decoding.
    /// </summary>
    public string Explain(string drafter, HardwareAwareTree.Choice choice, bool chosen)
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        string curve = string.Join(", ", Curve.Tokens.Zip(Curve.Relative, (t, r) => string.Create(c, $"c({t}) = {r:F2}")));
        string costs = string.Create(c, $"{drafter}: a step costs {Overhead.FirstHead:F2} greedy steps beyond its pass drafting one head, " +
            $"{Overhead.PerExtraHead:F2} more per further head; a pass over T tokens costs {curve}");
        if (choice.Tree.Size == 1)
        {
            var loser = HardwareAwareTree.Choose(Profile, Curve, Overhead, Curve.Tokens.Max(), greedyAllowed: false);
            return costs + string.Create(c, $"; {(chosen ? "chose" : "tree")} greedy decoding: no tree pays on this machine " +
                $"(the best, {loser.Tree.Size} nodes {loser.Tree.PathList}, would give {loser.ExpectedTokens:F2} tokens per step " +
                $"at {loser.RelativeTime:F2} greedy steps, {loser.PredictedSpeedup:F2}x)");
        }
        return costs + string.Create(c, $"; {(chosen ? "chose" : "tree")} {choice.Tree.Size} nodes {choice.Tree.PathList}: expected " +
            $"{choice.ExpectedTokens:F2} tokens per step at {choice.RelativeTime:F2} greedy steps, {choice.PredictedSpeedup:F2}x greedy's speed");
    }

    /// <summary>The expected tokens per step, time per step and speed-up of a given tree.</summary>
    public HardwareAwareTree.Choice Predict(DraftTree tree) => HardwareAwareTree.Predict(Profile, Curve, Overhead, tree);

    /// <summary>
    /// Measures the curve over 1, 2, 4, … tokens up to the first count ≥ maxNodes, then the draft
    /// overhead on random prompts (<see cref="DraftTiming"/>), each step budget sized so that a large
    /// model's slow passes stay affordable: about two seconds of one-token passes per decoder, at
    /// least 16 steps. Fails when the profile was measured for another number of heads.
    /// </summary>
    public static TreePlan Measure(LlamaModel model, IDrafter drafter, AcceptanceProfile profile, int maxNodes, int curveRepeats)
    {
        CheckFits(profile, drafter);
        var curve = MeasureCurve(model, maxNodes, curveRepeats);
        int steps = (int)Math.Clamp(2000 / curve.Milliseconds[0], 16, 256);
        return Measure(model, drafter, profile, curve, RandomPrompts.Make(model.Config, TimingPrompts, TimingPromptLength), Math.Max(4, steps / TimingPrompts));
    }

    /// <summary>The plan on a measured curve, timing the drafter on the given prompts (each decoded up to newTokens).</summary>
    public static TreePlan Measure(LlamaModel model, IDrafter drafter, AcceptanceProfile profile, PassCostCurve curve,
        IReadOnlyList<int[]> prompts, int newTokens)
    {
        CheckFits(profile, drafter);
        return new TreePlan(curve, DraftTiming.Measure(model, drafter, prompts, newTokens, curve), profile);
    }

    private static void CheckFits(AcceptanceProfile profile, IDrafter drafter)
    {
        if (profile.Heads != drafter.Heads)
            throw new InputException($"the acceptance profile covers {profile.Heads} heads but the {drafter.Name} drafter has {drafter.Heads}");
    }

    /// <summary>The cost curve over T = 1, 2, 4, … up to the first T ≥ maxNodes, after a context of up to 128 tokens.</summary>
    public static PassCostCurve MeasureCurve(LlamaModel model, int maxNodes, int repeats)
    {
        int[] tokens = [.. PassCostCurve.DefaultTokens.TakeWhile(t => t < maxNodes), .. PassCostCurve.DefaultTokens.Where(t => t >= maxNodes).Take(1)];
        int context = Math.Min(128, model.Config.MaxPositions - tokens.Max());
        return PassCostCurve.Measure(model, context, tokens, repeats);
    }
}
