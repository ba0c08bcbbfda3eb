using System.Diagnostics;
using Amphista.Decoding;
using Amphista.Decoding.Drafting;
using Amphista.Model.Tokenization;

namespace Amphista.Cli;

/// <summary>
/// amphista generate [--model DIR] (--prompt TEXT | --prompt-ids 1,2,3) [--max-new-tokens N] [--chat] [--ignore-eos]
///                   [--drafter SPEC] [--tree NAME] [--heads K] [--temperature T [--top-k K] [--top-p P] [--seed S] ...] [--json]
/// Streams the text as it is generated, or prints one JSON object with --json.
/// </summary>
public static class GenerateCommand
{
    public const int DefaultMaxNewTokens = 64;

    public static int Run(string[] argv)
    {
        var args = new CliArguments("generate", argv,
            new HashSet<string>([.. ModelOptions.Options, .. DecodingOptions.Options, .. SamplingOptions.Options,
                "--prompt", "--prompt-ids", "--max-new-tokens"]),
            new HashSet<string>(["--json", "--chat", "--ignore-eos", "--verbose"]));
        var decoding = DecodingOptions.Parse("generate", args, defaultDrafter: ModelOptions.DefaultDrafter(args));
        var sampling = SamplingOptions.Parse("generate", args, hasDrafter: !decoding.IsGreedy);
        var model = ModelOptions.LoadModel(args);
        var tokenizer = ModelOptions.TokenizerIfAny(args);
        int[] prompt = PromptIds(args, tokenizer);
        int[] stopTokens = args.Has("--ignore-eos") ? [] : model.Config.EosTokenIds;
        var request = sampling.Apply(new DecodeRequest(prompt, args.Int("--max-new-tokens", DefaultMaxNewTokens, min: 0), stopTokens));
        request.Validate(model);
        var drafter = decoding.CreateDrafter(model, args.Has("--verbose") ? Console.Error : null);
        var decoder = decoding.CreateDecoder(model, drafter, sampling);

        bool json = args.Has("--json");
        var stream = tokenizer is null ? null : new TextStream(tokenizer, prompt);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        long afterFirst = 0;   // the request's caches and buffers are all made by the time the first token is out
        double firstAt = 0;    // seconds until the first token: the prompt pass
        int idsPrinted = 0;    // without a tokenizer
        var clock = Stopwatch.StartNew();
        var result = decoder.Generate(request, id =>
        {
            if (afterFirst == 0)
            {
                afterFirst = GC.GetTotalAllocatedBytes(precise: true);
                firstAt = clock.Elapsed.TotalSeconds;
            }
            if (!json) Console.Write(stream?.Push(id) ?? IdText(id, first: idsPrinted++ == 0));
        });
        double seconds = clock.Elapsed.TotalSeconds;
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        int[] newIds = result.Tokens;

        if (json)
            JsonOutput.Write(new GenerateResult(prompt, newIds, tokenizer?.DecodeContinuation(prompt, newIds), decoder.Name,
                newIds.Length, seconds, newIds.Length / seconds, DecodeRate(newIds.Length, seconds - firstAt), result.Steps,
                result.MeanAccepted, Lossless: sampling.IsLossless, sampling.Report));
        else
            Console.WriteLine(stream?.Flush());
        if (args.Has("--verbose"))
            Console.Error.WriteLine($"{decoder.Name}: {newIds.Length} tokens in {seconds:F3} s ({newIds.Length / seconds:F1} tokens/s), " +
                $"{result.Steps} steps, {result.MeanAccepted:F2} tokens per step, " +
                $"{afterFirst - allocatedBefore:N0} bytes allocated up to the first token (caches, buffers), " +
                $"{(allocated - afterFirst) / Math.Max(1, newIds.Length - 1):N0} per token after it (decoding and printing)");
        if (args.Has("--verbose") && drafter is not null)
            Console.Error.WriteLine(DraftCostLine(drafter, result, model.Config));
        return 0;
    }

    /// <summary>
    /// What drafting costs next to the base model: the draft pass's multiply-adds for a step that
    /// commits as many rows as this run's steps did on average and drafts the heads its tree reads.
    /// </summary>
    private static string DraftCostLine(IDrafter drafter, DecodeResult result, Amphista.Model.LlamaConfig config)
    {
        int rows = (int)Math.Round(Math.Max(1, result.MeanAccepted));
        int heads = result.Accepted.Count == 0 ? 0 : result.Accepted.Max(step => step.TreeDepth);
        return $"{drafter.Name} {DraftCost.Describe(drafter.MultiplyAddsPerStep(rows, heads), config)}, " +
            $"committing {rows} rows and drafting {heads} heads per step";
    }

    /// <summary>Tokens per second after the prompt pass: the tokens after the first over the time since it (0 for fewer than two tokens).</summary>
    private static double DecodeRate(int tokens, double secondsAfterFirst) =>
        tokens < 2 || secondsAfterFirst <= 0 ? 0 : (tokens - 1) / secondsAfterFirst;

    /// <summary>
    /// --prompt-ids as given, or --prompt encoded with BOS (inside the Vicuna template with --chat), which needs the
    /// model's tokenizer.
    /// </summary>
    public static int[] PromptIds(CliArguments args, TextTokenizer? tokenizer)
    {
        int[]? ids = args.Ids("--prompt-ids");
        string? text = args.Get("--prompt");
        if ((ids is null) == (text is null))
            throw new UsageException("give exactly one of --prompt TEXT and --prompt-ids 1,2,3");
        if (ids is not null) return ids;
        tokenizer ??= ModelOptions.LoadTokenizer(args);   // not there: its error says so
        return tokenizer.Encode(args.Has("--chat") ? VicunaTemplate.Format(text!) : text!);
    }

    /// <summary>Without a tokenizer the new ids are printed as they come, comma-separated like --prompt-ids.</summary>
    private static string IdText(int id, bool first) => first ? $"{id}" : $",{id}";
}

/// <summary>
/// The --json object of generate (field names are a contract audit scripts rely on). Steps counts
/// base-model passes; MeanAccepted is new tokens per step; Lossless is false under typical acceptance;
/// Sampling is null for greedy decoding; Text is null when the model has no tokenizer.
/// </summary>
public sealed record GenerateResult(
    int[] PromptIds, int[] NewIds, string? Text, string Decoder, int NewTokens, double Seconds, double TokensPerSecond,
    double DecodeTokensPerSecond, int Steps, double MeanAccepted, bool Lossless, SamplingReport? Sampling);
