// tokenizer.json decoders: turn tokens back into text. Replace, ByteFallback, Fuse and Strip make up SentencePiece-
// style decoding (Llama 2, Mistral), Metaspace its older form, ByteLevel undoes GPT-2's byte alphabet (Llama 3).
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Amphista.Model.Tokenization.Json;

/// <summary>A chain of steps over the token strings; what is left is joined into the text.</summary>
internal sealed class TokenDecoder
{
    private const string Supported = "Sequence, Replace, ByteFallback, Fuse, Strip, Metaspace, ByteLevel";

    private readonly Func<List<string>, List<string>>[] steps;

    private TokenDecoder(Func<List<string>, List<string>>[] steps) => this.steps = steps;

    public static TokenDecoder Parse(JsonElement? node) => new(node is { } n ? [.. Steps(n)] : []);

    public string Decode(IEnumerable<string> tokens) => string.Concat(steps.Aggregate(tokens.ToList(), (t, step) => step(t)));

    private static IEnumerable<Func<List<string>, List<string>>> Steps(JsonElement node)
    {
        string type = JsonFields.Type(node);
        switch (type)
        {
            case "Sequence":
                return JsonFields.Array(node, "decoders").SelectMany(Steps).ToArray();
            case "Replace":
                var pattern = new Regex(JsonFields.Pattern(node), RegexOptions.CultureInvariant);
                string content = JsonFields.String(node, "content");
                return [tokens => [.. tokens.Select(t => pattern.Replace(t, content))]];
            case "ByteFallback":
                return [ByteFallback];
            case "Fuse":
                return [tokens => [string.Concat(tokens)]];
            case "Strip":
                return [Strip(JsonFields.String(node, "content"), JsonFields.Int(node, "start"), JsonFields.Int(node, "stop"))];
            case "Metaspace":
                return [Metaspace(JsonFields.String(node, "replacement"), JsonFields.OptionalString(node, "prepend_scheme")
                    ?? (JsonFields.Bool(node, "add_prefix_space", true) ? "always" : "never"))];
            case "ByteLevel":
                return [ByteLevel];
            default:
                throw JsonFields.Unsupported("decoder", type, Supported);
        }
    }

    // Runs of "<0xNN>" tokens become the UTF-8 text they spell; a run that is not valid UTF-8 becomes one U+FFFD
    // per byte token, as in Hugging Face's decoder.
    private static List<string> ByteFallback(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        var bytes = new List<byte>();
        foreach (string token in tokens)
        {
            if (ByteToken(token) is { } b) { bytes.Add(b); continue; }
            FlushBytes(bytes, result);
            result.Add(token);
        }
        FlushBytes(bytes, result);
        return result;
    }

    private static byte? ByteToken(string token) =>
        token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
            && byte.TryParse(token.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b)
            ? b : null;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static void FlushBytes(List<byte> bytes, List<string> result)
    {
        if (bytes.Count == 0) return;
        try
        {
            result.Add(StrictUtf8.GetString([.. bytes]));
        }
        catch (DecoderFallbackException)
        {
            result.AddRange(Enumerable.Repeat("\uFFFD", bytes.Count));
        }
        bytes.Clear();
    }

    private static Func<List<string>, List<string>> Strip(string content, int start, int stop)
    {
        char c = content.Single();
        return tokens => [.. tokens.Select(token =>
        {
            int from = 0, to = token.Length;
            while (from < Math.Min(start, to) && token[from] == c) from++;
            while (to > from && token.Length - to < stop && token[to - 1] == c) to--;
            return token[from..to];
        })];
    }

    // The replacement becomes a space again, and the first token loses the space the encoder put in front.
    private static Func<List<string>, List<string>> Metaspace(string replacement, string scheme) =>
        tokens => [.. tokens.Select((token, i) =>
        {
            string text = token.Replace(replacement, " ");
            return i == 0 && scheme != "never" && text.StartsWith(' ') ? text[1..] : text;
        })];

    private static List<string> ByteLevel(List<string> tokens)
    {
        var bytes = new List<byte>();
        foreach (string token in tokens) ByteLevelAlphabet.AppendBytes(token, bytes);
        return [Encoding.UTF8.GetString([.. bytes])];
    }
}
