using Amphista.Decoding;
using Amphista.Tensors;

namespace Amphista.Cli;

/// <summary>
/// The prompts eval measures: one --prompt-ids list; --prompts FILE, each non-blank line a prompt;
/// or --heldout FILE, each non-blank line cut to its first third of words (<see cref="PromptPrefix"/>),
/// how the README's held-out numbers are measured. Text prompts are encoded with BOS.
/// --max-prompts N keeps the first N, for quick runs over a long file.
/// </summary>
public static class EvalPrompts
{
    public static readonly string[] Options = ["--prompt-ids", "--prompts", "--heldout", "--max-prompts"];

    public static List<int[]> Read(CliArguments args)
    {
        if (new[] { "--prompt-ids", "--prompts", "--heldout" }.Count(args.Has) != 1)
            throw new UsageException("eval: give exactly one of --prompt-ids 1,2,3, --prompts FILE and --heldout FILE");
        int limit = args.Int("--max-prompts", int.MaxValue, min: 1);
        if (args.Ids("--prompt-ids") is { } ids)
            return args.Has("--max-prompts") ? throw new UsageException("eval: --max-prompts applies to a prompt file") : [ids];
        string file = args.Get("--prompts") ?? args.Require("--heldout");
        var lines = Lines(file).Take(limit);
        if (args.Has("--heldout")) lines = lines.Select(PromptPrefix.FirstThird);
        var tokenizer = ModelOptions.LoadTokenizer(args);
        return [.. lines.Select(line => tokenizer.Encode(line))];
    }

    private static List<string> Lines(string file)
    {
        if (!File.Exists(file)) throw new InputException($"eval: prompt file '{file}' not found");
        var lines = File.ReadAllLines(file).Where(line => !string.IsNullOrWhiteSpace(line)).ToList();
        if (lines.Count == 0) throw new InputException($"{file} holds no prompts (one per line)");
        return lines;
    }
}
