using System.Globalization;
using Amphista.Decoding;
using Amphista.Decoding.Sampling;
using Amphista.Decoding.Verification;

namespace Amphista.Cli;

/// <summary>
/// How each token is chosen, shared by every command that decodes. By default greedily. --temperature
/// T &gt; 0 samples with the lossless sampler (--top-k K, --top-p P, --seed S), with or without a
/// drafter: speculative output still equals plain sampling's token for token. --acceptance typical
/// switches a drafter to Medusa's typical acceptance instead, which is NOT lossless
/// (--posterior-threshold, --posterior-alpha tune it). --draft-ranking logits makes the heads rank
/// their candidates by their own logits rather than by the sampler's perturbed scores.
/// </summary>
public sealed record SamplingOptions(SamplingSettings Settings, TypicalAcceptance? Typical, bool PerturbedDrafts)
{
    public const string Exact = "exact", TypicalName = "typical", Perturbed = "perturbed", Logits = "logits";

    // Medusa's defaults (medusa_generate's posterior_threshold and posterior_alpha).
    public const double DefaultThreshold = 0.09;
    public const double DefaultAlpha = 0.3;

    private static readonly string[] NeedTemperature = ["--top-k", "--top-p", "--seed", "--acceptance", "--draft-ranking"];
    private static readonly string[] TypicalOnly = ["--posterior-threshold", "--posterior-alpha"];

    public static readonly string[] Options = ["--temperature", .. NeedTemperature, .. TypicalOnly];

    /// <summary>Greedy decoding's settings, what commands without sampling flags get.</summary>
    public static readonly SamplingOptions Greedy = new(SamplingSettings.Greedy, null, true);

    public bool IsLossless => Typical is null;

    /// <summary>The request with these settings (typical acceptance chooses roots greedily and draws its own noise).</summary>
    public DecodeRequest Apply(DecodeRequest request) => request with { Sampling = Typical is null ? Settings : SamplingSettings.Greedy };

    /// <summary>
    /// Reads the flags; refuses those that would be ignored. seedHasOtherUse: the command's --seed also
    /// seeds something else (verify's random prompts), so it may come without a temperature.
    /// </summary>
    public static SamplingOptions Parse(string command, CliArguments args, bool hasDrafter, bool seedHasOtherUse = false)
    {
        double temperature = args.Double("--temperature", 0, min: 0);
        string acceptance = args.Get("--acceptance") ?? Exact;
        if (acceptance is not (Exact or TypicalName))
            throw new UsageException($"{command}: --acceptance expects {Exact} or {TypicalName}, got '{acceptance}'");
        string ranking = args.Get("--draft-ranking") ?? Perturbed;
        if (ranking is not (Perturbed or Logits))
            throw new UsageException($"{command}: --draft-ranking expects {Perturbed} or {Logits}, got '{ranking}'");
        if (temperature == 0)
        {
            foreach (string flag in NeedTemperature.Concat(TypicalOnly).Where(f => args.Has(f) && !(f == "--seed" && seedHasOtherUse)))
                throw new UsageException($"{command}: {flag} needs --temperature > 0 (sampling)");
            return Greedy;
        }
        double topP = args.Double("--top-p", 1, max: 1);
        if (!(topP > 0)) throw new UsageException($"{command}: --top-p must lie in (0, 1], got {topP}");
        var settings = new SamplingSettings(temperature, args.Int("--top-k", 0, min: 1), topP, Seed(command, args));
        if (acceptance == Exact)
        {
            foreach (string flag in TypicalOnly.Where(args.Has))
                throw new UsageException($"{command}: {flag} tunes --acceptance typical");
            return new SamplingOptions(settings, null, ranking == Perturbed);
        }
        if (!hasDrafter)
            throw new UsageException($"{command}: --acceptance typical needs a drafter (--drafter SPEC): it judges drafted tokens");
        return new SamplingOptions(settings, new TypicalAcceptance(
            (float)temperature,
            (float)args.Double("--posterior-threshold", DefaultThreshold, min: 0, max: 1),
            (float)args.Double("--posterior-alpha", DefaultAlpha, min: 0),
            unchecked((int)(settings.Seed ^ (settings.Seed >> 32)))), ranking == Perturbed);
    }

    /// <summary>Parse for the commands that check outputs against plain decoding: typical acceptance is refused.</summary>
    public static SamplingOptions ParseLossless(string command, CliArguments args, bool hasDrafter, bool seedHasOtherUse = false)
    {
        var sampling = Parse(command, args, hasDrafter, seedHasOtherUse);
        if (!sampling.IsLossless)
            throw new UsageException($"{command}: --acceptance typical is not lossless; {command} compares with plain decoding token for token");
        return sampling;
    }

    /// <summary>What the JSON reports say of the sampling: null for greedy decoding.</summary>
    public SamplingReport? Report => Settings.IsGreedy ? null
        : new SamplingReport(Settings.Temperature, Settings.TopK, Settings.TopP, Settings.Seed, Typical is null ? Exact : TypicalName);

    /// <summary>--seed: a 64-bit integer, 0 to 2^64 − 1, or a negative one taken as its two's complement (default 0).</summary>
    public static ulong Seed(string command, CliArguments args)
    {
        string? text = args.Get("--seed");
        if (text is null) return 0;
        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed)) return seed;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long signed)) return unchecked((ulong)signed);
        throw new UsageException($"{command}: --seed expects a 64-bit integer, got '{text}'");
    }
}

/// <summary>The sampling settings in a JSON report (top_k 0 and top_p 1: no limit).</summary>
public sealed record SamplingReport(double Temperature, int TopK, double TopP, ulong Seed, string Acceptance);
