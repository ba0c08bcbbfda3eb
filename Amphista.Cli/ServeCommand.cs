using System.Net;
using Amphista.Server;

namespace Amphista.Cli;

/// <summary>
/// amphista serve [--model DIR] [--drafter SPEC] [--tree NAME|auto] [--heads K] [--host ADDRESS] [--port N] [--max-queue N]
/// Serves the model over OpenAI's HTTP API, decoding with the same decoder generate builds from the same flags,
/// until Ctrl+C or SIGTERM. Prints the address it listens on as its first line.
/// </summary>
public static class ServeCommand
{
    public static int Run(string[] argv)
    {
        var args = new CliArguments("serve", argv,
            new HashSet<string>([.. ModelOptions.Options, .. DecodingOptions.Options, "--host", "--port", "--max-queue"]),
            new HashSet<string>(["--verbose"]));
        var decoding = DecodingOptions.Parse("serve", args, defaultDrafter: ModelOptions.DefaultDrafter(args));
        var options = new ServerOptions(Host(args), args.Int("--port", ServerOptions.DefaultPort, min: 0),
            args.Int("--max-queue", ServerOptions.DefaultMaxQueue, min: 0), GenerateCommand.DefaultMaxNewTokens,
            Log: args.Has("--verbose") ? Console.Error : null);
        if (options.Port > ushort.MaxValue) throw new UsageException($"serve: --port must be at most {ushort.MaxValue}");
        var model = ModelOptions.LoadModel(args);
        var tokenizer = ModelOptions.LoadTokenizer(args);
        var decoder = decoding.CreateDecoder(model, decoding.CreateDrafter(model, options.Log));
        string directory = Path.GetFullPath(ModelOptions.ModelDir(args));
        var served = new ServedModel(Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)), model, tokenizer, decoder,
            ChatTemplate.Resolve(directory));
        return Serve(served, options).GetAwaiter().GetResult();
    }

    private static async Task<int> Serve(ServedModel served, ServerOptions options)
    {
        await using var server = await AmphistaServer.Start(served, options);
        Console.WriteLine($"serving {served.Id} ({served.Decoder.Name} decoding, chat template {served.Chat.Name}) at {server.Address}");
        if (served.Chat.Unsupported is { } why) Console.Error.WriteLine($"amphista: chat completions are refused: {why}");
        if (!IPAddress.IsLoopback(options.Host))
            Console.Error.WriteLine($"amphista: listening on {options.Host}, beyond this machine, with no authentication");
        await server.WaitForShutdown();
        return 0;
    }

    /// <summary>--host: an IP address; loopback unless given, so that serving beyond this machine is a choice.</summary>
    private static IPAddress Host(CliArguments args)
    {
        string text = args.Get("--host") ?? "127.0.0.1";
        if (text == "localhost") return IPAddress.Loopback;
        return IPAddress.TryParse(text, out var address) ? address
            : throw new UsageException($"serve: --host takes an IP address such as 127.0.0.1 or 0.0.0.0, not '{text}'");
    }
}
