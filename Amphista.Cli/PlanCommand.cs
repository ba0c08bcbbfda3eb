using System.Globalization;
using Amphista.Decoding;
using Amphista.Decoding.Drafting;
using Amphista.Decoding.Drafting.Amphista;
using Amphista.Decoding.Drafting.Medusa;
using Amphista.Decoding.Trees;
using Amphista.Decoding.Tuning;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tensors.Kernels;

namespace Amphista.Cli;

/// <summary>
/// amphista plan [--model DIR|random:PRESET] [--drafter DIR] [--profile FILE|DIR] [--tree NAME] [--max-nodes N]
///               [--repeats R] [--json]
/// Will speculation pay for this model on this machine, and with which tree? Measures the model's
/// verification cost curve and what a step of the drafter costs beyond its pass (the drafter itself
/// when it fits the model, else its shape sized to the model with random weights,
/// <see cref="DrafterSizing"/>), prices every tree against an acceptance profile (default: the
/// drafter's own acceptance_profile.json) and reports the best tree, or greedy decoding when none
/// pays, with its expected tokens per step and speed-up; with --tree, that tree's as well.
/// </summary>
public static class PlanCommand
{
    public const int DefaultMaxNodes = 16, DefaultRepeats = 5;

    public static int Run(string[] argv)
    {
        var args = new CliArguments("plan", argv,
            new HashSet<string>([.. ModelOptions.Options, "--drafter", "--profile", "--tree", "--max-nodes", "--repeats"]),
            new HashSet<string>(["--json", "--verbose"]));
        string drafterDir = args.Get("--drafter") ?? ModelOptions.DefaultDrafterDir;
        if (!Directory.Exists(drafterDir))
            throw new InputException($"plan: drafter directory '{drafterDir}' not found (plan prices a drafter's shape: give a checkpoint directory)");
        var profile = LoadProfile(args.Get("--profile") ?? drafterDir);
        var tree = args.Get("--tree") is { } name ? NamedTrees.Get(name) : null;
        int maxNodes = args.Int("--max-nodes", DefaultMaxNodes, min: 1);
        int repeats = args.Int("--repeats", DefaultRepeats, min: 1);

        var stored = DrafterSpec.LoadDirectory(drafterDir);
        if (tree is not null && tree.MaxDepth > stored.Heads)
            throw new TreeException($"plan: tree '{tree.Name}' is {tree.MaxDepth} deep but the drafter in '{drafterDir}' has {stored.Heads} heads");
        var model = ModelOptions.LoadModel(args);
        var (drafter, resized) = DrafterSizing.Fit(stored, model.Config);
        var plan = TreePlan.Measure(model, drafter, profile, Math.Max(maxNodes, tree?.Size ?? 1), repeats);
        var report = PlanReport.Build(args.Get("--model") ?? "kjv-brown-14m", model, drafter, resized, args.Get("--profile") ?? drafterDir,
            plan, plan.Best(maxNodes), tree is null ? null : plan.Predict(tree));
        if (args.Has("--json")) JsonOutput.Write(report);
        else report.WriteText(Console.Out);
        return 0;
    }

    /// <summary>An acceptance profile file, or the one in a drafter directory.</summary>
    private static AcceptanceProfile LoadProfile(string path)
    {
        string directory = Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(path) && Path.GetFileName(path) != AcceptanceProfile.FileName)
            throw new InputException($"plan: --profile takes a drafter directory or its {AcceptanceProfile.FileName}, not '{path}'");
        return AcceptanceProfile.Load(directory)
            ?? throw new InputException($"plan: no {AcceptanceProfile.FileName} in '{directory}' (eval --save-profile measures one)");
    }
}

/// <summary>plan's answer (JSON field names are a contract).</summary>
public sealed record PlanReport(
    string Model, string Device, int Threads, string? VectorWidth, string Drafter, PlanDrafter DrafterShape, bool RandomWeights,
    long DraftMultiplyAdds, long BaseMultiplyAdds, string Profile, int ProfileHeads, int ProfileRanks,
    int[] CurveTokens, double[] CurveRelative, double DraftFirstHead, double DraftPerExtraHead,
    PlanTree Best, PlanTree? Tree)
{
    public static PlanReport Build(string modelName, LlamaModel model, IDrafter drafter, bool resized, string profile,
        TreePlan plan, HardwareAwareTree.Choice best, HardwareAwareTree.Choice? given)
    {
        var cpu = model.Kernels as CpuKernels;
        string device = model.Kernels is Amphista.Tensors.Gpu.GpuBackend gpu ? gpu.Device.ToString() : "cpu";
        return new PlanReport(modelName, device, cpu?.Threads ?? 1, cpu?.Width.ToString(), drafter.Name,
            PlanDrafter.Of(drafter), resized, drafter.MultiplyAddsPerStep(1, Math.Max(1, best.Tree.MaxDepth)),
            DraftCost.BaseModelStep(model.Config), profile, plan.Profile.Heads, plan.Profile.Ranks,
            plan.Curve.Tokens, plan.Curve.Relative, plan.Overhead.FirstHead, plan.Overhead.PerExtraHead,
            PlanTree.Of(best), given is null ? null : PlanTree.Of(given));
    }

    public void WriteText(TextWriter o)
    {
        var c = CultureInfo.InvariantCulture;
        o.WriteLine($"{Model} on {Device}{(VectorWidth is null ? "" : $", {Threads} threads, {VectorWidth}-bit vectors")}");
        o.WriteLine($"{Drafter} {DrafterShape}{(RandomWeights ? ", sized to this model with random weights" : "")}: " +
            DraftCost.Describe(DraftMultiplyAdds, BaseMultiplyAdds));
        o.WriteLine("pass over T tokens, relative to T = 1: " +
            string.Join(", ", CurveTokens.Zip(CurveRelative, (t, r) => string.Create(c, $"T={t} {r:F2}x"))));
        o.WriteLine(string.Create(c, $"a step costs {DraftFirstHead:F2} greedy steps beyond its pass drafting one head, " +
            $"{DraftPerExtraHead:F2} more per further head; acceptance from {Profile} ({ProfileHeads} heads, {ProfileRanks} ranks)"));
        if (Tree is { } t) o.WriteLine("tree " + t.Describe());
        o.WriteLine(Best.Nodes == 1
            ? string.Create(c, $"best: greedy decoding; no tree up to the node limit pays on this machine")
            : "best " + Best.Describe());
    }
}

/// <summary>A drafter's shape: K heads, and for Amphista S stages, B block layers and MLP width F; N draft tokens (V: all).</summary>
public sealed record PlanDrafter(int Heads, int? Stages, int? BlockLayers, int? Mlp, int DraftVocabulary)
{
    public static PlanDrafter Of(IDrafter drafter) => drafter switch
    {
        AmphistaDrafter a => new(a.Heads, a.Weights.Config.Stages, a.Weights.Config.BlockLayers, a.Weights.Config.AdaptationIntermediateSize,
            a.Vocabulary?.Size ?? a.Weights.Config.VocabSize),
        MedusaDrafter m => new(m.Heads, null, null, null, m.Vocabulary?.Size ?? m.Weights.Config.VocabSize),
        _ => new(drafter.Heads, null, null, null, 0),
    };

    public override string ToString() => Stages is null
        ? $"(K = {Heads}, {DraftVocabulary} draft tokens)"
        : $"(K = {Heads}, S = {Stages}, B = {BlockLayers}, MLP {Mlp}, {DraftVocabulary} draft tokens)";
}

/// <summary>A priced tree: its paths, nodes, expected tokens per step, step time in greedy steps and expected speed-up.</summary>
public sealed record PlanTree(string Paths, int Nodes, int Depth, double ExpectedTokens, double RelativeTime, double ExpectedSpeedup)
{
    public static PlanTree Of(HardwareAwareTree.Choice c) =>
        new(c.Tree.PathList, c.Tree.Size, c.Tree.MaxDepth, c.ExpectedTokens, c.RelativeTime, c.PredictedSpeedup);

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Nodes} nodes {Paths}: expected {ExpectedTokens:F2} tokens per step at {RelativeTime:F2} greedy steps, speed-up {ExpectedSpeedup:F2}x");
}
