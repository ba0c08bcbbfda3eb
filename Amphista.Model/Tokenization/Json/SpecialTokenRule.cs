// Which special tokens an encoded text gets around it: tokenizer_config.json's add_bos_token / add_eos_token where
// it sets them (Hugging Face's Llama tokenizers rebuild their template from these), else the post-processor's
// TemplateProcessing ("<s> $A"), else none (a ByteLevel post-processor adds no tokens).
using System.Text.Json;
using Amphista.Tensors;

namespace Amphista.Model.Tokenization.Json;

internal sealed record SpecialTokenRule(int[] Prefix, int[] Suffix, int? BosId, int? EosId)
{
    private const string Supported = "TemplateProcessing, ByteLevel, Sequence";

    public static SpecialTokenRule Parse(JsonElement? postProcessor, JsonElement? config, Func<string, int?> idOf)
    {
        int? bos = config is { } c1 ? TokenName(c1, "bos_token") is { } b ? idOf(b) : null : null;
        int? eos = config is { } c2 ? TokenName(c2, "eos_token") is { } e ? idOf(e) : null : null;
        (int[] prefix, int[] suffix) = postProcessor is { } p ? Template(p) : ([], []);
        if (config is { } c)
        {
            if (Flag(c, "add_bos_token") is { } addBos) prefix = addBos ? [Require(bos, "bos_token")] : [];
            if (Flag(c, "add_eos_token") is { } addEos) suffix = addEos ? [Require(eos, "eos_token")] : [];
        }
        return new(prefix, suffix, bos ?? (prefix.Length > 0 ? prefix[0] : null), eos);
    }

    private static (int[] Prefix, int[] Suffix) Template(JsonElement node)
    {
        string type = JsonFields.Type(node);
        switch (type)
        {
            case "ByteLevel":
                return ([], []);
            case "Sequence":
                var parts = JsonFields.Array(node, "processors").Select(Template).ToArray();
                return ([.. parts.SelectMany(p => p.Prefix)], [.. parts.SelectMany(p => p.Suffix)]);
            case "TemplateProcessing":
                return Single(node);
            default:
                throw JsonFields.Unsupported("post-processor", type, Supported);
        }
    }

    // "single": [{"SpecialToken": {"id": "<s>"}}, {"Sequence": {"id": "A"}}]; special_tokens maps "<s>" to its ids.
    private static (int[] Prefix, int[] Suffix) Single(JsonElement node)
    {
        var prefix = new List<int>();
        var suffix = new List<int>();
        bool seenText = false;
        foreach (var item in JsonFields.Array(node, "single"))
        {
            if (item.TryGetProperty("Sequence", out _)) { seenText = true; continue; }
            if (!item.TryGetProperty("SpecialToken", out var special))
                throw new AmphistaException("a TemplateProcessing item is neither a SpecialToken nor a Sequence");
            string name = JsonFields.String(special, "id");
            if (!node.TryGetProperty("special_tokens", out var map) || !map.TryGetProperty(name, out var entry))
                throw new AmphistaException($"TemplateProcessing names '{name}' but gives it no ids");
            (seenText ? suffix : prefix).AddRange(JsonFields.Array(entry, "ids").Select(id => id.GetInt32()));
        }
        return ([.. prefix], [.. suffix]);
    }

    // tokenizer_config.json writes a token as "<s>" or as {"content": "<s>", ...}.
    private static string? TokenName(JsonElement config, string name) =>
        config.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object => JsonFields.OptionalString(value, "content"),
            _ => null,
        } : null;

    private static bool? Flag(JsonElement config, string name) =>
        config.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean() : null;

    private static int Require(int? id, string name) =>
        id ?? throw new AmphistaException($"tokenizer_config.json asks for its {name} but names none the vocabulary has");
}
