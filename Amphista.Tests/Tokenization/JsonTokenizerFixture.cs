// The tokenizer.json fixtures (gzip-compressed in the repository) unpacked into a temporary model directory, with
// the ids and texts Hugging Face's own tokenizers give for them (scripts/tokenizer-reference-ids.mjs wrote those).
using System.IO.Compression;
using System.Text.Json;
using Amphista.Model.Tokenization;

namespace Amphista.Tests.Tokenization;

internal sealed record ReferenceCase(string Text, int[] Ids, int[] IdsNoSpecial, string Decoded, string DecodedSkipSpecial);

internal static class JsonTokenizerFixture
{
    public const string SentencePiece = "sentencepiece-bpe", ByteLevel = "byte-level-bpe";

    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokenizers");

    /// <summary>A fresh directory holding the fixture's tokenizer.json and tokenizer_config.json; the caller deletes it.</summary>
    public static string Unpack(string name, string? into = null)
    {
        string dir = into ?? Directory.CreateTempSubdirectory("amphista-tokenizer-").FullName;
        using (var packed = new GZipStream(File.OpenRead(Path.Combine(Root, name, "tokenizer.json.gz")), CompressionMode.Decompress))
        using (var unpacked = File.Create(Path.Combine(dir, "tokenizer.json")))
            packed.CopyTo(unpacked);
        File.Copy(Path.Combine(Root, name, "tokenizer_config.json"), Path.Combine(dir, "tokenizer_config.json"));
        return dir;
    }

    private static readonly Dictionary<string, Lazy<TextTokenizer>> Loaded = new()
    {
        [SentencePiece] = new(() => LoadUnpacked(SentencePiece)),
        [ByteLevel] = new(() => LoadUnpacked(ByteLevel)),
    };

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
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, name, "expected.json")));
        return [.. json.RootElement.GetProperty("cases").EnumerateArray().Select(c => new ReferenceCase(
            c.GetProperty("text").GetString()!,
            Ids(c.GetProperty("ids")),
            Ids(c.GetProperty("ids_no_special")),
            c.GetProperty("decoded").GetString()!,
            c.GetProperty("decoded_skip_special").GetString()!))];
    }

    private static int[] Ids(JsonElement list) => [.. list.EnumerateArray().Select(id => id.GetInt32())];
}
