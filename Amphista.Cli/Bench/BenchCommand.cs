using Amphista.Decoding;
using Amphista.Decoding.Drafting;
using Amphista.Decoding.Trees;
using Amphista.Decoding.Tuning;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tensors.Gpu;
using Amphista.Tensors.Kernels;

namespace Amphista.Cli.Bench;

/// <summary>
/// amphista bench [--model DIR|random:PRESET] [--drafters greedy,medusa,amphista] [--tree NAME|auto]
///                [--prompts FILE | --heldout FILE] [--max-prompts N] [--max-new-tokens N] [--ignore-eos] [--repeats R]
///                [--chart FILE] [--json]
/// Every decoder on the same prompts in one process, interleaved, after a warm-up; this machine's
/// memory bandwidth and greedy's share of that roofline; the verification cost curve; an SVG chart.
/// --tree auto chooses each drafter's tree for this machine (<see cref="HardwareAwareTree"/>) and
/// stores it, with the acceptance profile it came from, in the drafter's directory.
/// </summary>
public static class BenchCommand
{
    public const int DefaultPrompts = 12, DefaultNewTokens = 64, DefaultRepeats = 5, CurveRepeats = 7, MaxTreeNodes = 64;
    public const string DefaultChart = "bench.svg";

    /// <summary>Prompts the draft overhead is timed on (the first of the profile prompts).</summary>
    public const int TimingPrompts = 12;

    public static int Run(string[] argv)
    {
        var args = new CliArguments("bench", argv,
            new HashSet<string>([.. ModelOptions.Options, "--drafters", "--tree", "--heads", "--prompts", "--heldout",
                "--max-prompts", "--max-new-tokens", "--repeats", "--chart", .. SamplingOptions.Options]),
            new HashSet<string>(["--json", "--verbose", "--ignore-eos"]));
        bool demo = args.Get("--model") is null;
        string[] names = BenchOptions.ParseDrafters(args, demo);
        int newTokens = args.Int("--max-new-tokens", DefaultNewTokens, min: 1);
        int repeats = args.Int("--repeats", DefaultRepeats, min: 1);
        var log = args.Has("--json") ? Console.Error : Console.Out;

        var model = ModelOptions.LoadModel(args);
        var (prompts, profilePrompts) = BenchOptions.ReadPrompts(args, model, args.Int("--max-prompts", DefaultPrompts, min: 1));
        // --ignore-eos: every prompt decodes exactly N tokens, as native runtimes' benchmarks do.
        int[] stopTokens = args.Has("--ignore-eos") ? [] : model.Config.EosTokenIds;
        var sampling = SamplingOptions.ParseLossless("bench", args, hasDrafter: true);
        var requests = prompts.Select(p => sampling.Apply(new DecodeRequest(p, newTokens, stopTokens))).ToArray();
        foreach (var request in requests) request.Validate(model);
        // Every drafter is made before the slow measurements, so a bad name fails at once.
        int heads = args.Int("--heads", DecodingOptions.DefaultHeads, min: 1);
        var drafters = names.Skip(1).Select(n => (Name: n, Spec: BenchOptions.Spec(n, demo)))
            .Select(d => (d.Name, d.Spec, Drafter: DrafterSpec.Create(d.Spec, model.Config, heads)!)).ToArray();

        double bandwidth = model.Kernels switch
        {
            GpuBackend device => device.MeasureBandwidthGBps(),
            CpuKernels cpu => MemoryBandwidth.MeasureGBps(cpu.Threads),
            _ => MemoryBandwidth.MeasureGBps(1),
        };
        var curve = TreePlan.MeasureCurve(model, PassCostCurve.DefaultTokens.Max(), CurveRepeats);
        log.WriteLine($"memory bandwidth {bandwidth:F1} GB/s; pass cost over T new tokens after {curve.Context}: " +
            string.Join(", ", curve.Tokens.Zip(curve.Relative, (t, r) => $"T={t} {r:F2}x")));

        BenchDecoder[] decoders = [new(DecodingOptions.Greedy, null, new PlainDecoder(model)),
            .. drafters.Select(d => Decoder(args, model, d.Name, d.Spec, d.Drafter, curve, profilePrompts, newTokens, sampling, log))];
        var timing = BenchRun.Time(decoders.Select(d => d.Decoder).ToArray(), requests, repeats, model.Kernels as GpuBackend);
        var report = BenchReport.Build(model, args.Get("--model") ?? "kjv-brown-14m", bandwidth, curve, decoders, timing, sampling.Report);

        string chart = args.Get("--chart") ?? DefaultChart;
        // The bars are decode speed-ups, after each prompt's pass: what the cost model's expected bars predict.
        File.WriteAllText(chart, SpeedupChart.Render($"{report.Model}: tokens/s after the prompt pass, relative to greedy ({report.Machine})",
            [.. report.Decoders.Select(d => new SpeedupBar(d.Name, d.DecodeSpeedup, (d.DecodeSpeedupMax - d.DecodeSpeedupMin) / 2, d.ExpectedSpeedup))],
            report.PassCost));
        if (args.Has("--json")) JsonOutput.Write(report);
        else BenchReport.WriteText(report, chart);
        return report.Decoders.Sum(d => d.Mismatches) == 0 ? 0 : Mismatch(report);
    }

    /// <summary>
    /// A drafter to time with its tree (named, stored, default, or chosen here for this machine), and
    /// what the cost model expects of it when an acceptance profile is at hand (stored with the drafter,
    /// or measured for --tree auto).
    /// </summary>
    private static BenchDecoder Decoder(CliArguments args, LlamaModel model, string name, string spec, IDrafter drafter,
        PassCostCurve curve, List<int[]> profilePrompts, int newTokens, SamplingOptions sampling, TextWriter log)
    {
        string? treeName = args.Get("--tree");
        bool auto = treeName == DecodingOptions.AutoTree, stored = Directory.Exists(spec);
        var profile = (stored ? AcceptanceProfile.Load(spec) : null)
            ?? (auto ? AcceptanceProfile.Measure(model, drafter, profilePrompts, newTokens) : null);
        // A stored profile made for another head count prices nothing, unless auto needs it: then it is an error.
        var plan = profile is null || (!auto && profile.Heads != drafter.Heads) ? null
            : TreePlan.Measure(model, drafter, profile, curve, profilePrompts[..Math.Min(TimingPrompts, profilePrompts.Count)], newTokens);
        var tree = plan is not null && auto
            ? plan.Best(MaxTreeNodes).Tree
            : NamedTrees.Get(treeName ?? DrafterSpec.StoredTree(spec) ?? DecodingOptions.DefaultTree);
        tree.CheckFits(drafter.Heads, Math.Max(tree.TopKNeeded, 1));
        var expected = plan is not null && tree.TopKNeeded <= plan.Profile.Ranks ? plan.Predict(tree) : null;
        if (plan is not null && expected is not null) log.WriteLine(plan.Explain(drafter.Name, expected, auto));
        if (auto && stored)
        {
            profile!.Save(spec);
            File.WriteAllText(Path.Combine(spec, DrafterSpec.TreeFileName), tree.PathList);
        }
        return new BenchDecoder(name, tree, new SpeculativeDecoder(model, drafter, tree) { PerturbedDrafts = sampling.PerturbedDrafts },
            expected?.PredictedSpeedup);
    }

    private static int Mismatch(BenchReport report)
    {
        Console.Error.WriteLine("amphista: bench: " + string.Join("; ",
            report.Decoders.Where(d => d.Mismatches > 0).Select(d => $"{d.Name} differs from greedy on {d.Mismatches} prompts")));
        return 1;
    }
}

/// <summary>A decoder under test: its name, its tree (none for greedy) and the decoder itself.</summary>
public sealed record BenchDecoder(string Name, DraftTree? Tree, IDecoder Decoder, double? ExpectedSpeedup = null);
