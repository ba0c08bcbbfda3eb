using Amphista.Decoding;
using Amphista.Decoding.Drafting;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Cli.Bench;

/// <summary>
/// What bench runs: the decoders named by --drafters (greedy always, as the baseline; "medusa" and
/// "amphista" name the drafters shipped for the demo model, anything else is a drafter SPEC) and
/// the prompts: --prompts or --heldout FILE, else the demo model's held-out set shipped with the
/// binary, else (a random model, which has no tokenizer) seeded random prompts of 16 tokens.
/// </summary>
public sealed record BenchOptions(string[] Drafters, List<int[]> Prompts, List<int[]> ProfilePrompts)
{
    public const string DefaultDrafters = "greedy,medusa,amphista";
    public const int RandomPromptLength = 16;
    public const int ProfilePromptLimit = 40;

    public static string HeldoutFile => Path.Combine(AppContext.BaseDirectory, "data", "kjv-brown", "heldout.txt");

    public static string[] ParseDrafters(CliArguments args, bool demo)
    {
        string list = args.Get("--drafters") ?? (demo ? DefaultDrafters : DecodingOptions.Greedy);
        string[] names = [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct()];
        if (names.Length == 0) throw new UsageException("bench: --drafters lists no decoder");
        return [DecodingOptions.Greedy, .. names.Where(n => n != DecodingOptions.Greedy)];
    }

    /// <summary>A --drafters name as a drafter SPEC: the shipped drafters for the demo model's short names.</summary>
    public static string Spec(string name, bool demo) => name switch
    {
        "medusa" or "amphista" when demo => Path.Combine(AppContext.BaseDirectory, "models", $"kjv-brown-14m-{name}"),
        "medusa" or "amphista" => throw new InputException(
            $"bench: no trained {name} drafter ships for this model; give a drafter directory or {name}:random"),
        _ => name,
    };

    /// <summary>
    /// The bench prompts (the first --max-prompts) and, for measuring acceptance profiles, the next
    /// lines of the same file (held out from the timed set), or the bench prompts when none are left.
    /// </summary>
    public static (List<int[]> Bench, List<int[]> Profile) ReadPrompts(CliArguments args, LlamaModel model, int count)
    {
        if (args.Has("--prompts") && args.Has("--heldout"))
            throw new UsageException("bench: give at most one of --prompts FILE and --heldout FILE");
        string? file = args.Get("--prompts") ?? args.Get("--heldout")
            ?? (args.Get("--model") is null && File.Exists(HeldoutFile) ? HeldoutFile : null);
        if (file is null) return Random(model, count);
        if (!File.Exists(file)) throw new InputException($"bench: prompt file '{file}' not found");
        var lines = File.ReadAllLines(file).Where(l => !string.IsNullOrWhiteSpace(l)).ToList();
        if (lines.Count == 0) throw new InputException($"{file} holds no prompts (one per line)");
        if (!args.Has("--prompts")) lines = [.. lines.Select(PromptPrefix.FirstThird)];
        var tokenizer = ModelOptions.LoadTokenizer(args);
        var encoded = lines.Select(l => tokenizer.Encode(l)).ToList();
        var bench = encoded.Take(count).ToList();
        var rest = encoded.Skip(count).Take(ProfilePromptLimit).ToList();
        return (bench, rest.Count > 0 ? rest : bench);
    }

    private static (List<int[]>, List<int[]>) Random(LlamaModel model, int count)
    {
        var prompts = RandomPrompts.Make(model.Config, count, RandomPromptLength);
        return (prompts, prompts);
    }
}
