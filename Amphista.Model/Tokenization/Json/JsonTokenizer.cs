// A Hugging Face tokenizer.json (with tokenizer_config.json beside it) as a pipeline: added tokens are cut out of
// the raw text, each stretch between them is normalized, pre-tokenized and BPE-encoded, and the special-token rule
// puts BOS/EOS around the result. Decoding maps ids to tokens and runs the decoder chain.
using System.Text.Json;
using Amphista.Tensors;

namespace Amphista.Model.Tokenization.Json;

internal sealed class JsonTokenizer : ITokenizerFile
{
    private readonly AddedTokens added;
    private readonly TextNormalizer normalizer;
    private readonly PreTokenizer preTokenizer;
    private readonly BpeModel model;
    private readonly TokenDecoder decoder;
    private readonly SpecialTokenRule special;
    private readonly string?[] tokens;   // by id; null where no entry has that id

    private JsonTokenizer(JsonElement root, JsonElement? config)
    {
        added = AddedTokens.Parse(root);
        normalizer = TextNormalizer.Parse(JsonFields.Optional(root, "normalizer"));
        preTokenizer = PreTokenizer.Parse(JsonFields.Optional(root, "pre_tokenizer"));
        model = BpeModel.Parse(JsonFields.Optional(root, "model") ?? throw new AmphistaException("'model' is missing"), preTokenizer.ByteLevel);
        decoder = TokenDecoder.Parse(JsonFields.Optional(root, "decoder"));
        tokens = TokensById(model.Vocabulary, added.Ids);
        special = SpecialTokenRule.Parse(JsonFields.Optional(root, "post_processor"), config, IdOf);
    }

    public int VocabSize => tokens.Length;

    public int? BosId => special.BosId;

    public int? EosId => special.EosId;

    /// <summary>Reads tokenizer.json and, when it is there, tokenizer_config.json in the same directory.</summary>
    public static JsonTokenizer Load(string path)
    {
        string configPath = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!, "tokenizer_config.json");
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(path));
            using var config = File.Exists(configPath) ? JsonDocument.Parse(File.ReadAllBytes(configPath)) : null;
            if (json.RootElement.ValueKind != JsonValueKind.Object) throw new AmphistaException("it is not a JSON object");
            return new JsonTokenizer(json.RootElement, config?.RootElement);
        }
        catch (JsonException e)
        {
            throw new AmphistaException($"tokenizer {path} (or its tokenizer_config.json) is not valid JSON: {e.Message}");
        }
        catch (AmphistaException e)
        {
            throw new AmphistaException($"tokenizer {path}: {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException)
        {
            // A value of the wrong JSON kind, a regular expression that does not parse, merges BpeTokenizer rejects.
            throw new AmphistaException($"tokenizer {path} is not a usable tokenizer.json: {e.Message}");
        }
    }

    public int[] Encode(string text, bool addSpecial)
    {
        var ids = new List<int>();
        if (addSpecial) ids.AddRange(special.Prefix);
        foreach (var (id, part, offset) in added.Split(text))
        {
            if (id is { } addedId) { ids.Add(addedId); continue; }
            foreach (string piece in preTokenizer.Split(normalizer.Apply(part), atStart: offset == 0))
                model.Encode(piece, ids);
        }
        if (addSpecial) ids.AddRange(special.Suffix);
        return [.. ids];
    }

    public string Decode(int[] ids, bool skipSpecial) =>
        decoder.Decode(ids.Where(id => !(skipSpecial && added.Special.Contains(id))).Select(Token));

    public string Token(int id) => tokens[id] ?? "";

    private int? IdOf(string token) =>
        added.Ids.TryGetValue(token, out int id) || model.Vocabulary.TryGetValue(token, out id) ? id : null;

    private static string?[] TokensById(IReadOnlyDictionary<string, int> vocab, IReadOnlyDictionary<string, int> added)
    {
        var all = vocab.Concat(added).ToArray();
        long size = all.Length == 0 ? 0 : all.Max(p => (long)p.Value) + 1;
        // Ids number the entries; far larger ids are a damaged file, not a reason to allocate gigabytes.
        if (size > 2L * all.Length + 1024) throw new AmphistaException($"token id {size - 1} is far beyond the {all.Length} entries");
        var tokens = new string?[size];
        foreach (var (token, id) in all) tokens[id] = token;
        return tokens;
    }
}
