using Amphista.Decoding.Verification;

namespace Amphista.Cli;

/// <summary>
/// How drafted tokens are accepted. By default greedily, which is lossless: the output is exactly
/// greedy decoding's. --temperature T &gt; 0 switches to Medusa's typical acceptance, which samples and
/// is NOT lossless; --posterior-threshold, --posterior-alpha and --seed tune it.
/// </summary>
public static class AcceptanceOptions
{
    // Medusa's defaults (medusa_generate's posterior_threshold and posterior_alpha).
    public const double DefaultThreshold = 0.09;
    public const double DefaultAlpha = 0.3;
    public const int DefaultSeed = 0;

    /// <summary>The flags that only make sense with sampling; commands that check losslessness refuse them.</summary>
    public static readonly string[] SamplingOptions = ["--temperature", "--posterior-threshold", "--posterior-alpha"];

    public static readonly string[] Options = [.. SamplingOptions, "--seed"];

    /// <summary>
    /// Typical acceptance, or null for greedy acceptance. The tuning flags without a temperature are
    /// refused rather than ignored, and sampling needs a drafter: the acceptance rule judges drafts.
    /// </summary>
    public static TypicalAcceptance? Parse(string command, CliArguments args, DecodingOptions decoding)
    {
        double temperature = args.Double("--temperature", 0, min: 0);
        if (temperature == 0)
        {
            foreach (string flag in Options.Where(f => f != "--temperature"))
                if (args.Has(flag)) throw new UsageException($"{command}: {flag} needs --temperature > 0 (typical acceptance)");
            return null;
        }
        if (decoding.IsGreedy)
            throw new UsageException($"{command}: --temperature needs a drafter (--drafter SPEC): typical acceptance judges drafted tokens");
        return new TypicalAcceptance(
            (float)temperature,
            (float)args.Double("--posterior-threshold", DefaultThreshold, min: 0, max: 1),
            (float)args.Double("--posterior-alpha", DefaultAlpha, min: 0),
            args.Int("--seed", DefaultSeed));
    }
}
