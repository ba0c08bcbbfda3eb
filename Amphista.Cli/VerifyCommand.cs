using System.Diagnostics;
using Amphista.Decoding;
using Amphista.Tensors;

namespace Amphista.Cli;

/// <summary>
/// amphista verify [--model DIR] --drafter SPEC [--tree NAME] [--heads K]
///                 (--prompt-ids 1,2,3 | --prompts FILE | --random-prompts N [--seed S]) [--max-new-tokens N] [--json]
/// The lossless check: plain and speculative decoding of every prompt (greedy, or sampled with the same
/// settings), stopping at the model's EOS, must give the same tokens. Exit 0 only when they all do; otherwise 1 with a one-line summary.
/// </summary>
public static class VerifyCommand
{
    public static int Run(string[] argv)
    {
        var args = new CliArguments("verify", argv,
            new HashSet<string>([.. ModelOptions.Options, .. DecodingOptions.Options, .. VerifyPrompts.Options,
                .. SamplingOptions.Options, "--max-new-tokens"]),
            new HashSet<string>(["--json", "--verbose"]));
        var decoding = DecodingOptions.Parse("verify", args, defaultDrafter: null);
        var sampling = SamplingOptions.ParseLossless("verify", args, hasDrafter: true, seedHasOtherUse: true);
        if (decoding.IsGreedy) throw new UsageException("verify: --drafter greedy has nothing to verify: give a drafter");
        int maxNewTokens = args.Int("--max-new-tokens", GenerateCommand.DefaultMaxNewTokens, min: 0);

        var model = ModelOptions.LoadModel(args);
        var requests = VerifyPrompts.Read(args, model)
            .Select(prompt => sampling.Apply(new DecodeRequest(prompt, maxNewTokens, model.Config.EosTokenIds))).ToArray();
        for (int i = 0; i < requests.Length; i++)   // all of them before spending time on any
        {
            try { requests[i].Validate(model); }
            catch (InputException e) { throw new InputException($"prompt {i + 1}: {e.Message}"); }
        }
        var greedy = new PlainDecoder(model);
        var speculative = decoding.CreateDecoder(model, decoding.CreateDrafter(model, args.Has("--verbose") ? Console.Error : null), sampling);

        var results = new VerifyPromptResult[requests.Length];
        var greedyClock = new Stopwatch();
        var speculativeClock = new Stopwatch();
        for (int i = 0; i < requests.Length; i++)
        {
            greedyClock.Start();
            int[] expected = greedy.Generate(requests[i]).Tokens;
            greedyClock.Stop();
            speculativeClock.Start();
            var actual = speculative.Generate(requests[i]);
            speculativeClock.Stop();
            int? difference = FirstDifference(expected, actual.Tokens);
            results[i] = new VerifyPromptResult(requests[i].Prompt, difference is null, difference, expected, actual.Tokens,
                actual.Steps, actual.MeanAccepted);
        }

        int totalSteps = results.Sum(r => r.Steps);
        var report = new VerifyReport(results.Length, results.Count(r => !r.Equal),
            totalSteps == 0 ? 0 : (double)results.Sum(r => r.SpeculativeTokens.Length) / totalSteps,
            speculative.Name, decoding.Tree.Name, sampling.Report, results);
        if (args.Has("--json")) JsonOutput.Write(report);
        else WriteTable(report);
        if (args.Has("--verbose"))
            Console.Error.WriteLine($"greedy {greedyClock.Elapsed.TotalSeconds:F3} s, {report.Decoder} {speculativeClock.Elapsed.TotalSeconds:F3} s");

        if (report.Mismatches == 0) return 0;
        int first = Array.FindIndex(results, r => !r.Equal);
        Console.Error.WriteLine($"amphista: verify: {report.Mismatches} of {report.Prompts} prompts differ from greedy decoding " +
            $"(prompt {first + 1} first differs at new token {results[first].FirstDifference})");
        return 1;
    }

    /// <summary>The first index where the two differ, the shorter length when one is a prefix of the other, null when equal.</summary>
    public static int? FirstDifference<T>(T[] expected, T[] actual) where T : IEquatable<T>
    {
        int common = Math.Min(expected.Length, actual.Length);
        for (int i = 0; i < common; i++)
            if (!expected[i].Equals(actual[i])) return i;
        return expected.Length == actual.Length ? null : common;
    }

    private static void WriteTable(VerifyReport report)
    {
        Console.WriteLine($"{"prompt",6} {"length",6} {"tokens",6} {"steps",6} {"accepted",8}  result");
        for (int i = 0; i < report.Results.Length; i++)
        {
            var r = report.Results[i];
            Console.WriteLine($"{i + 1,6} {r.PromptIds.Length,6} {r.GreedyTokens.Length,6} {r.Steps,6} {r.MeanAccepted,8:F2}  " +
                (r.Equal ? "equal" : $"differs at new token {r.FirstDifference}"));
        }
        Console.WriteLine($"{report.Decoder} on tree {report.Tree}: {report.Prompts} prompts, {report.Mismatches} mismatches, " +
            $"{report.MeanAccepted:F2} tokens per step");
    }
}

/// <summary>verify --json (field names are a contract audit scripts rely on).</summary>
public sealed record VerifyReport(
    int Prompts, int Mismatches, double MeanAccepted, string Decoder, string Tree, SamplingReport? Sampling, VerifyPromptResult[] Results);

/// <summary>One prompt: FirstDifference is the first new-token index where the decoders disagree (null when equal).</summary>
public sealed record VerifyPromptResult(
    int[] PromptIds, bool Equal, int? FirstDifference, int[] GreedyTokens, int[] SpeculativeTokens, int Steps, double MeanAccepted);
