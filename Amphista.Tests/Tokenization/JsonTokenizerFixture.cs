// The tokenizer.json fixtures (gzip-compressed in the repository) unpacked into a temporary model directory, with
// the ids and texts Hugging Face's own tokenizers give for them (scripts/tokenizer-reference-ids.mjs wrote those).
// A variant ("byte-level-bpe/smollm-pretokenizer") is the folder's tokenizer with the pre-tokenizer stored in its
// expected-VARIANT.json, and that file's ids.
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amphista.Model.Tokenization;

namespace Amphista.Tests.Tokenization;

internal sealed record ReferenceCase(string Text, int[] Ids, int[] IdsNoSpecial, string Decoded, string DecodedSkipSpecial);

internal static class JsonTokenizerFixture
{
    public const string SentencePiece = "sentencepiece-bpe", ByteLevel = "byte-level-bpe";
    public const string SmolLmPreTokenizer = ByteLevel + "/smollm-pretokenizer";

    public static readonly string[] All = [SentencePiece, ByteLevel, SmolLmPreTokenizer];

    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokenizers");

    private static readonly Dictionary<string, Lazy<TextTokenizer>> Loaded =
        All.ToDictionary(name => name, name => new Lazy<TextTokenizer>(() => LoadUnpacked(name)));

    /// <summary>A fresh directory holding the fixture's tokenizer.json and tokenizer_config.json; the caller deletes it.</summary>
    public static string Unpack(string name, string? into = null)
    {
        (string folder, string? variant) = Parse(name);
        string dir = into ?? Directory.CreateTempSubdirectory("amphista-tokenizer-").FullName;
        string json = Path.Combine(dir, "tokenizer.json");
        using (var packed = new GZipStream(File.OpenRead(Path.Combine(Root, folder, "tokenizer.json.gz")), CompressionMode.Decompress))
        using (var unpacked = File.Create(json))
            packed.CopyTo(unpacked);
        File.Copy(Path.Combine(Root, folder, "tokenizer_config.json"), Path.Combine(dir, "tokenizer_config.json"));
        if (variant is not null)
        {
            var root = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
            root["pre_tokenizer"] = JsonNode.Parse(File.ReadAllText(Expected(name)))!["pre_tokenizer"]!.DeepClone();
            File.WriteAllText(json, root.ToJsonString());
        }
        return dir;
    }

    /// <summary>The fixture's tokenizer, loaded once for all tests.</summary>
    public static TextTokenizer Tokenizer(string name) => Loaded[name].Value;

    private static TextTokenizer LoadUnpacked(string name)
    {
        string dir = Unpack(name);
        try { return TextTokenizer.Load(dir); }
        finally { Directory.Delete(dir, recursive: true); }
    }

    public static IReadOnlyList<ReferenceCase> Cases(string name)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Expected(name)));
        return [.. json.RootElement.GetProperty("cases").EnumerateArray().Select(c => new ReferenceCase(
            c.GetProperty("text").GetString()!,
            Ids(c.GetProperty("ids")),
            Ids(c.GetProperty("ids_no_special")),
            c.GetProperty("decoded").GetString()!,
            c.GetProperty("decoded_skip_special").GetString()!))];
    }

    private static (string Folder, string? Variant) Parse(string name) =>
        name.Split('/') is [var folder, var variant] ? (folder, variant) : (name, null);

    private static string Expected(string name) => Parse(name) switch
    {
        (var folder, null) => Path.Combine(Root, folder, "expected.json"),
        (var folder, var variant) => Path.Combine(Root, folder, $"expected-{variant}.json"),
    };

    private static int[] Ids(JsonElement list) => [.. list.EnumerateArray().Select(id => id.GetInt32())];
}
