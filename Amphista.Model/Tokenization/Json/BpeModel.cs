// tokenizer.json's "BPE" model over Microsoft.ML.Tokenizers' BpeTokenizer (the merges), with what that class leaves
// out: SentencePiece's byte fallback ("<0xE4>" tokens for characters outside the vocabulary), GPT-2's byte-level
// alphabet, and ignore_merges (a piece that is itself in the vocabulary is one token).
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amphista.Tensors;
using Microsoft.ML.Tokenizers;

namespace Amphista.Model.Tokenization.Json;

/// <summary>Encodes one pre-tokenized piece to ids and names the token of an id.</summary>
internal sealed partial class BpeModel
{
    private readonly BpeTokenizer merges;
    private readonly Dictionary<string, int> vocab;
    private readonly bool byteLevel, byteFallback, ignoreMerges, fuseUnknown;
    private readonly int? unknownId;

    private BpeModel(BpeTokenizer merges, Dictionary<string, int> vocab, bool byteLevel, bool byteFallback,
        bool ignoreMerges, bool fuseUnknown, int? unknownId)
    {
        this.merges = merges;
        this.vocab = vocab;
        this.byteLevel = byteLevel;
        this.byteFallback = byteFallback;
        this.ignoreMerges = ignoreMerges;
        this.fuseUnknown = fuseUnknown;
        this.unknownId = unknownId;
    }

    public IReadOnlyDictionary<string, int> Vocabulary => vocab;

    [GeneratedRegex(@"[\s\S]+")]
    private static partial Regex WholePiece();

    public static BpeModel Parse(JsonElement node, bool byteLevel)
    {
        string type = JsonFields.Type(node);
        if (type != "BPE") throw JsonFields.Unsupported("model", type, "BPE");
        foreach (string affix in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
            if (JsonFields.OptionalString(node, affix) is { Length: > 0 })
                throw new AmphistaException($"BPE with a {affix} is not supported");
        var vocab = Vocab(node);
        string? unknown = JsonFields.OptionalString(node, "unk_token");
        int? unknownId = unknown is null ? null
            : vocab.TryGetValue(unknown, out int id) ? id : throw new AmphistaException($"unk_token '{unknown}' is not in the vocabulary");
        // The pieces arrive split (BpeTokenizer's default would split them again at punctuation) and only ever hold
        // vocabulary characters (so no unknown token).
        var options = new BpeOptions(vocab) { Merges = Merges(node), PreTokenizer = new RegexPreTokenizer(WholePiece(), null) };
        return new BpeModel(BpeTokenizer.Create(options), vocab, byteLevel, JsonFields.Bool(node, "byte_fallback", false),
            JsonFields.Bool(node, "ignore_merges", false), JsonFields.Bool(node, "fuse_unk", false), unknownId);
    }

    private static Dictionary<string, int> Vocab(JsonElement node)
    {
        if (!node.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Object)
            throw new AmphistaException("the BPE model has no 'vocab' object");
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocab.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int id) || id < 0)
                throw new AmphistaException($"vocabulary entry '{entry.Name}' has no valid id");
            result[entry.Name] = id;
        }
        return result;
    }

    // Merges are "a b" strings, or ["a", "b"] pairs in newer files; BpeOptions takes the former.
    private static List<string> Merges(JsonElement node) =>
        [.. JsonFields.Array(node, "merges").Select(merge => merge.ValueKind switch
        {
            JsonValueKind.String => merge.GetString()!,
            JsonValueKind.Array when merge.GetArrayLength() == 2 => $"{merge[0].GetString()} {merge[1].GetString()}",
            _ => throw new AmphistaException("a merge is neither \"a b\" nor [\"a\", \"b\"]"),
        })];

    public void Encode(string piece, List<int> ids)
    {
        if (byteLevel) piece = ByteLevelAlphabet.Encode(piece);
        if (ignoreMerges && vocab.TryGetValue(piece, out int whole))
        {
            ids.Add(whole);
            return;
        }
        // Runs of characters the vocabulary has go through the merges; each other character becomes its UTF-8
        // bytes (byte fallback) or the unknown token. No merge joins across such a character.
        int runStart = 0;
        for (int i = 0; i < piece.Length; i += char.IsSurrogatePair(piece, i) ? 2 : 1)
        {
            string character = char.IsSurrogatePair(piece, i) ? piece.Substring(i, 2) : piece.Substring(i, 1);
            if (vocab.ContainsKey(character)) continue;
            bool afterUnknown = runStart == i && i > 0;
            EncodeKnown(piece[runStart..i], ids);
            EncodeUnknown(character, afterUnknown, ids);
            runStart = i + character.Length;
        }
        EncodeKnown(piece[runStart..], ids);
    }

    private void EncodeKnown(string run, List<int> ids)
    {
        if (run.Length > 0) ids.AddRange(merges.EncodeToIds(run));
    }

    private void EncodeUnknown(string character, bool afterUnknown, List<int> ids)
    {
        if (byteFallback)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(character);
            int[] byteIds = [.. bytes.Select(b => vocab.GetValueOrDefault(string.Create(CultureInfo.InvariantCulture, $"<0x{b:X2}>"), -1))];
            if (byteIds.All(id => id >= 0))
            {
                ids.AddRange(byteIds);
                return;
            }
        }
        if (unknownId is not { } unk)
            throw new InputException($"the text holds '{character}', which the tokenizer can neither encode nor map to an unknown token");
        if (!(fuseUnknown && afterUnknown && ids[^1] == unk)) ids.Add(unk);
    }
}
