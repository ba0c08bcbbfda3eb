using System.Diagnostics;
using Amphista.Decoding;
using Amphista.Decoding.Tuning;
using Amphista.Tensors;

namespace Amphista.Cli;

/// <summary>
/// amphista eval [--model DIR] --drafter SPEC [--tree NAME] [--heads K]
///               (--prompt-ids 1,2,3 | --prompts FILE | --heldout FILE [--max-prompts N])
///               [--max-new-tokens N] [--repeats R] [--save-profile] [--json]
/// Measures a drafter against plain decoding (greedy, or sampled with --temperature ...) on a prompt set: acceptance (mean accepted length,
/// per head, per head and candidate rank), tokens per second of both and the speed-up, and checks
/// that every speculative output equals greedy's (exit 1 otherwise).
/// </summary>
public static class EvalCommand
{
    public const int DefaultRepeats = 3;

    public static int Run(string[] argv)
    {
        var args = new CliArguments("eval", argv,
            new HashSet<string>([.. ModelOptions.Options, .. DecodingOptions.Options, .. EvalPrompts.Options,
                .. SamplingOptions.Options, "--max-new-tokens", "--repeats"]),
            new HashSet<string>(["--json", "--verbose", "--save-profile"]));
        var decoding = DecodingOptions.Parse("eval", args, defaultDrafter: null);
        if (decoding.IsGreedy) throw new UsageException("eval: --drafter greedy has nothing to compare with greedy decoding: give a drafter");
        var sampling = SamplingOptions.ParseLossless("eval", args, hasDrafter: true);
        if (args.Has("--save-profile") && !Directory.Exists(decoding.DrafterSpec))
            throw new UsageException("eval: --save-profile stores the acceptance profile in a drafter directory: give one as --drafter");
        int maxNewTokens = args.Int("--max-new-tokens", GenerateCommand.DefaultMaxNewTokens, min: 1);
        int repeats = args.Int("--repeats", DefaultRepeats, min: 1);
        bool verbose = args.Has("--verbose");

        var model = ModelOptions.LoadModel(args);
        var requests = EvalPrompts.Read(args)
            .Select(prompt => sampling.Apply(new DecodeRequest(prompt, maxNewTokens, model.Config.EosTokenIds))).ToArray();
        for (int i = 0; i < requests.Length; i++)   // all of them before spending time on any
        {
            try { requests[i].Validate(model); }
            catch (InputException e) { throw new InputException($"prompt {i + 1}: {e.Message}"); }
        }
        var drafter = decoding.CreateDrafter(model, args.Has("--verbose") ? Console.Error : null)!;
        IDecoder greedy = new PlainDecoder(model);
        IDecoder speculative = new SpeculativeDecoder(model, drafter, decoding.Tree) { PerturbedDrafts = sampling.PerturbedDrafts };

        // The first run of each decoder pays for JIT compilation and starting the worker threads.
        greedy.Generate(requests[0]);
        speculative.Generate(requests[0]);

        var greedyResults = new DecodeResult[requests.Length];
        var results = new DecodeResult[requests.Length];
        var mismatched = new bool[requests.Length];
        double[] greedySeconds = new double[repeats], seconds = new double[repeats];
        var clock = new Stopwatch();
        for (int r = 0; r < repeats; r++)
        {
            // Interleaved per prompt, so a slow patch of the machine hurts both decoders alike.
            for (int i = 0; i < requests.Length; i++)
            {
                clock.Restart();
                var expected = greedy.Generate(requests[i]);
                greedySeconds[r] += clock.Elapsed.TotalSeconds;
                clock.Restart();
                var actual = speculative.Generate(requests[i]);
                seconds[r] += clock.Elapsed.TotalSeconds;
                mismatched[i] |= !expected.Tokens.AsSpan().SequenceEqual(actual.Tokens);
                greedyResults[i] ??= expected;
                results[i] ??= actual;
            }
            if (verbose) Console.Error.WriteLine($"run {r + 1} of {repeats}: greedy {greedySeconds[r]:F3} s, {speculative.Name} {seconds[r]:F3} s");
        }

        var stats = AcceptanceStats.Compute(results, drafter.Heads, Math.Max(decoding.Tree.TopKNeeded, 1));
        int greedyTokens = greedyResults.Sum(g => g.Tokens.Length);
        double greedyTime = Statistics.Median(greedySeconds), time = Statistics.Median(seconds);
        double greedyRate = greedyTokens / greedyTime, rate = stats.Tokens / time;
        var report = new EvalReport(requests.Length, speculative.Name, decoding.Tree.Name, drafter.Heads, repeats,
            stats.Tokens, stats.Steps, stats.MeanAccepted, stats.PerHead, stats.PerHeadRank,
            greedyTime, time, greedyRate, rate, rate / greedyRate, mismatched.Count(m => m), sampling.Report);
        if (args.Has("--json")) JsonOutput.Write(report);
        else WriteSummary(report, stats.Offered);
        if (args.Has("--save-profile"))
        {
            AcceptanceProfile.FromResults(results, drafter.Heads, Math.Max(decoding.Tree.TopKNeeded, 1)).Save(decoding.DrafterSpec);
            Console.Error.WriteLine($"wrote {Path.Combine(decoding.DrafterSpec, AcceptanceProfile.FileName)}");
        }

        if (report.Mismatches == 0) return 0;
        Console.Error.WriteLine($"amphista: eval: {report.Mismatches} of {report.Prompts} prompts differ from plain decoding " +
            $"(prompt {Array.IndexOf(mismatched, true) + 1} first); the speed numbers compare different outputs");
        return 1;
    }

    private static string Percent(double fraction) => $"{100 * fraction:F1}%";

    private static void WriteSummary(EvalReport report, int[] offered)
    {
        Console.WriteLine($"{report.Decoder} ({report.Heads} heads) on tree {report.Tree}: {report.Prompts} prompts, " +
            $"{report.NewTokens} new tokens in {report.Steps} steps, {report.MeanAccepted:F3} tokens per step");
        // Columns r0, r1, ...: the share of offered steps whose accepted token for that head had candidate rank r.
        int ranks = report.PerHeadRankAcceptance[0].Length;
        Console.WriteLine($"{"head",4} {"offered",8} {"accepted",8} " + string.Concat(Enumerable.Range(0, ranks).Select(r => $"{"r" + r,7}")));
        for (int k = 0; k < report.Heads; k++)
            Console.WriteLine($"{k + 1,4} {offered[k],8} {Percent(report.PerHeadAcceptance[k]),8} " +
                string.Concat(report.PerHeadRankAcceptance[k].Select(p => $"{Percent(p),7}")));
        string plain = report.Sampling is null ? "greedy" : $"plain sampling (T = {report.Sampling.Temperature})";
        Console.WriteLine($"{plain} {report.GreedySeconds:F3} s, {report.GreedyTokensPerSecond:F1} tokens/s; " +
            $"{report.Decoder} {report.Seconds:F3} s, {report.TokensPerSecond:F1} tokens/s (median of {report.Repeats} runs); " +
            $"speed-up {report.Speedup:F3}x; {report.Mismatches} mismatches");
    }
}

/// <summary>
/// eval --json (field names are a contract audit scripts rely on). MeanAccepted is new tokens per
/// step over all prompts; PerHeadAcceptance [K] and PerHeadRankAcceptance [K][R] are fractions of
/// the steps that offered head k (<see cref="AcceptanceStats"/>); times are the median over the
/// repeats of the total over the prompt set; Speedup is TokensPerSecond / GreedyTokensPerSecond. Under
/// sampling (Sampling not null) the Greedy fields describe plain decoding with the same sampler.
/// </summary>
public sealed record EvalReport(
    int Prompts, string Decoder, string Tree, int Heads, int Repeats, int NewTokens, int Steps, double MeanAccepted,
    double[] PerHeadAcceptance, double[][] PerHeadRankAcceptance, double GreedySeconds, double Seconds,
    double GreedyTokensPerSecond, double TokensPerSecond, double Speedup, int Mismatches, SamplingReport? Sampling);
