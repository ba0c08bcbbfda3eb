namespace Amphista.Cli;

/// <summary>Dispatches "amphista COMMAND [flags]".</summary>
public static class Commands
{
    public const string Usage = """
        usage:
          amphista generate [--model DIR] (--prompt TEXT | --prompt-ids 1,2,3) [--max-new-tokens N] [--chat] [--ignore-eos]
                            [--drafter SPEC] [--tree NAME] [--heads K]
                            [--temperature T [--posterior-threshold E] [--posterior-alpha A] [--seed S]] [--json]
          amphista verify [--model DIR] --drafter SPEC [--tree NAME] [--heads K]
                          (--prompt-ids 1,2,3 | --prompts FILE | --random-prompts N [--seed S]) [--max-new-tokens N] [--json]
          amphista eval [--model DIR] --drafter SPEC [--tree NAME] [--heads K]
                        (--prompt-ids 1,2,3 | --prompts FILE | --heldout FILE) [--max-prompts N]
                        [--max-new-tokens N] [--repeats R] [--json]
          amphista forward [--model DIR] --prompt-ids 1,2,3 --out FILE
          amphista help
        decoding flags:
          --drafter SPEC  greedy (generate's default), medusa:random[:SEED], amphista:random[:SEED], or a drafter
                          checkpoint directory
          --tree NAME     mc_sim_7b_63 (default), chain, narrow, root, or a path list such as [[0],[0,0],[1]]
          --heads K       heads of a random drafter (default 4)
          --temperature T > 0 switches to typical acceptance (sampling): NOT lossless, the output is no longer
                          greedy decoding's; --posterior-threshold (default 0.09), --posterior-alpha (default 0.3)
                          and --seed (default 0) tune it
        verify decodes every prompt greedily and speculatively and exits 1 unless all outputs are equal.
        eval measures a drafter against greedy decoding (both stop at EOS, after one warm-up run): mean accepted
        length, acceptance per head and per candidate rank, tokens/s of both (median of R runs, default 3) and the
        speed-up; exits 1 if any output differs from greedy. --prompts FILE: one prompt per line; --heldout FILE:
        each line's first third of words (how the project's target numbers are defined, e.g. on
        data/kjv-brown/heldout.txt); --max-prompts N keeps the first N lines.
        common flags: --threads N (default: all cores), --verbose (stack traces, costs)
        The default model is the embedded demo model (models/kjv-brown-14m).
        """;

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        var rest = args[1..];
        return args[0] switch
        {
            "generate" => GenerateCommand.Run(rest),
            "verify" => VerifyCommand.Run(rest),
            "eval" => EvalCommand.Run(rest),
            "forward" => ForwardCommand.Run(rest),
            _ => throw new UsageException($"unknown command '{args[0]}' (commands: generate, verify, eval, forward, help)"),
        };
    }
}
