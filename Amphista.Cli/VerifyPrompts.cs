using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Cli;

/// <summary>
/// The prompts verify checks: one --prompt-ids list, the non-blank lines of --prompts FILE (each
/// encoded with BOS), or --random-prompts N: BOS then 1..16 ids drawn uniformly from the vocabulary,
/// seeded by --seed (which also seeds the sampler) so a failing prompt can be reproduced.
/// </summary>
public static class VerifyPrompts
{
    public static readonly string[] Options = ["--prompt-ids", "--prompts", "--random-prompts", "--seed"];

    public const int MaxRandomLength = 16;
    public static List<int[]> Read(CliArguments args, LlamaModel model)
    {
        int sources = new[] { "--prompt-ids", "--prompts", "--random-prompts" }.Count(args.Has);
        if (sources != 1)
            throw new UsageException("verify: give exactly one of --prompt-ids 1,2,3, --prompts FILE and --random-prompts N");
        if (args.Has("--seed") && !args.Has("--random-prompts") && !args.Has("--temperature"))
            throw new UsageException("verify: --seed only applies to --random-prompts and sampling (--temperature)");
        if (args.Ids("--prompt-ids") is { } ids) return [ids];
        if (args.Get("--prompts") is { } file) return FromFile(file, args);
        ulong seed = SamplingOptions.Seed("verify", args);
        return Random(args.Int("--random-prompts", 0, min: 1), unchecked((int)(seed ^ (seed >> 32))), model);
    }

    private static List<int[]> FromFile(string file, CliArguments args)
    {
        if (!File.Exists(file)) throw new InputException($"verify: prompt file '{file}' not found");
        string[] lines = File.ReadAllLines(file);
        if (lines.All(string.IsNullOrWhiteSpace)) throw new InputException($"{file} holds no prompts (one per line)");
        var tokenizer = ModelOptions.LoadTokenizer(args);
        return [.. lines.Where(line => !string.IsNullOrWhiteSpace(line)).Select(line => tokenizer.Encode(line))];
    }

    private static List<int[]> Random(int count, int seed, LlamaModel model)
    {
        var rng = new Random(seed);
        var prompts = new List<int[]>(count);
        for (int p = 0; p < count; p++)
        {
            int[] prompt = new int[1 + rng.Next(1, MaxRandomLength + 1)];
            prompt[0] = model.Config.BosTokenId;
            for (int i = 1; i < prompt.Length; i++) prompt[i] = rng.Next(model.Config.VocabSize);
            prompts.Add(prompt);
        }
        return prompts;
    }
}
