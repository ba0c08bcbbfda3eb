// tokenizer.json's added tokens ("<s>", "<|eot_id|>", ...): matched in the raw text before anything else, so a
// prompt that spells one out gets its id, as Hugging Face's tokenizers do. Tokens marked "normalized" are matched in
// the raw text too, which is the same for the Llama families' added tokens (no spaces, nothing a normalizer changes).
using System.Text.Json;
using System.Text.RegularExpressions;
using Amphista.Tensors;

namespace Amphista.Model.Tokenization.Json;

internal sealed class AddedTokens
{
    private readonly Dictionary<string, int> ids;
    private readonly Regex? splitter;

    private AddedTokens(Dictionary<string, int> ids, HashSet<int> special)
    {
        this.ids = ids;
        Special = special;
        // Longest first, so that of two tokens starting at the same place the longer one wins.
        splitter = ids.Count == 0 ? null
            : new Regex(string.Join('|', ids.Keys.OrderByDescending(k => k.Length).Select(Regex.Escape)), RegexOptions.CultureInvariant);
    }

    /// <summary>The ids of special tokens: dropped from decoded text on request.</summary>
    public HashSet<int> Special { get; }

    public IReadOnlyDictionary<string, int> Ids => ids;

    public static AddedTokens Parse(JsonElement root)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var special = new HashSet<int>();
        if (JsonFields.Optional(root, "added_tokens") is not { } list) return new(ids, special);
        foreach (var token in list.EnumerateArray())
        {
            string content = JsonFields.String(token, "content");
            foreach (string flag in new[] { "lstrip", "rstrip", "single_word" })
                if (JsonFields.Bool(token, flag, false))
                    throw new AmphistaException($"added token '{content}' sets {flag}, which is not supported");
            int id = JsonFields.Int(token, "id");
            if (content.Length == 0) throw new AmphistaException($"added token {id} is empty");
            ids[content] = id;
            if (JsonFields.Bool(token, "special", false)) special.Add(id);
        }
        return new(ids, special);
    }

    /// <summary>The text cut at added tokens: each part is either an added token's id or a stretch of plain text.</summary>
    public IEnumerable<(int? Id, string Text, int Offset)> Split(string text)
    {
        int at = 0;
        if (splitter is not null)
        {
            foreach (Match m in splitter.Matches(text))
            {
                if (m.Index > at) yield return (null, text[at..m.Index], at);
                yield return (ids[m.Value], m.Value, m.Index);
                at = m.Index + m.Length;
            }
        }
        if (at < text.Length) yield return (null, text[at..], at);
    }
}
