namespace Amphista.Cli;

/// <summary>Dispatches "amphista COMMAND [flags]".</summary>
public static class Commands
{
    public const string Usage = """
        usage:
          amphista generate [--model DIR] (--prompt TEXT | --prompt-ids 1,2,3) [--max-new-tokens N] [--chat] [--ignore-eos] [--json]
          amphista forward [--model DIR] --prompt-ids 1,2,3 --out FILE
          amphista help
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
            "forward" => ForwardCommand.Run(rest),
            _ => throw new UsageException($"unknown command '{args[0]}' (commands: generate, forward, help)"),
        };
    }
}
