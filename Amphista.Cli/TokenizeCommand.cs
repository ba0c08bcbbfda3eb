using System.Text.Encodings.Web;
using System.Text.Json;
using Amphista.Model.Tokenization;
using Amphista.Tensors;

namespace Amphista.Cli;

/// <summary>
/// amphista tokenize [--model DIR | --tokenizer FILE] (--text TEXT | --file F | --decode 1,2,3) [--no-special] [--json]
/// The auditor's view of a tokenizer: exactly which ids a text becomes (with each id's vocabulary entry), or which
/// text ids decode to. --no-special encodes without the BOS/EOS the tokenizer adds and decodes without special tokens.
/// </summary>
public static class TokenizeCommand
{
    private static readonly JsonSerializerOptions QuotedToken = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static int Run(string[] argv)
    {
        var args = new CliArguments("tokenize", argv,
            new HashSet<string>(["--model", "--tokenizer", "--text", "--file", "--decode"]),
            new HashSet<string>(["--no-special", "--json", "--verbose"]));
        if (new[] { "--text", "--file", "--decode" }.Count(args.Has) != 1)
            throw new UsageException("tokenize: give exactly one of --text TEXT, --file F and --decode 1,2,3");
        if (args.Has("--model") && args.Has("--tokenizer"))
            throw new UsageException("tokenize: give at most one of --model DIR and --tokenizer FILE");
        var tokenizer = args.Get("--tokenizer") is { } file ? TextTokenizer.LoadFile(file) : ModelOptions.LoadTokenizer(args);
        bool special = !args.Has("--no-special");

        int[]? decode = args.Ids("--decode");
        int[] ids = decode ?? tokenizer.Encode(Text(args), addBos: special);
        string text = decode is null ? Text(args) : tokenizer.Decode(decode, skipSpecial: !special);
        var result = new TokenizeResult(tokenizer.Path, ids, tokenizer.Tokens(ids), text);
        if (args.Has("--json")) JsonOutput.Write(result);
        else if (decode is not null) Console.WriteLine(text);
        else WriteTokens(result);
        return 0;
    }

    private static string Text(CliArguments args)
    {
        if (args.Get("--text") is { } text) return text;
        string file = args.Require("--file");
        if (!File.Exists(file)) throw new InputException($"tokenize: text file '{file}' not found");
        return File.ReadAllText(file);
    }

    // The ids first, ready to paste into --prompt-ids; then each id with its vocabulary entry, quoted and escaped.
    private static void WriteTokens(TokenizeResult result)
    {
        Console.WriteLine(string.Join(',', result.Ids));
        for (int i = 0; i < result.Ids.Length; i++)
            Console.WriteLine($"{result.Ids[i],8}  {JsonSerializer.Serialize(result.Tokens[i], QuotedToken)}");
    }
}

/// <summary>tokenize --json: the tokenizer file, the ids, each id's vocabulary entry, and the text they stand for.</summary>
public sealed record TokenizeResult(string Tokenizer, int[] Ids, string[] Tokens, string Text);
