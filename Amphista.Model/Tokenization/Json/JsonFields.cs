// Reading the parts of a tokenizer.json: typed fields with one-line errors for what is missing or unsupported.
using System.Text.Json;
using Amphista.Tensors;

namespace Amphista.Model.Tokenization.Json;

internal static class JsonFields
{
    /// <summary>The component's "type", e.g. "BPE", "Metaspace", "ByteLevel".</summary>
    public static string Type(JsonElement node) => String(node, "type");

    public static string String(JsonElement node, string name) =>
        node.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new AmphistaException($"'{name}' is missing or not a string");

    public static string? OptionalString(JsonElement node, string name) =>
        node.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static bool Bool(JsonElement node, string name, bool fallback) =>
        node.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : fallback;

    public static int Int(JsonElement node, string name) =>
        node.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n)
            ? n
            : throw new AmphistaException($"'{name}' is missing or not an integer");

    /// <summary>The node's array property, or an error naming it.</summary>
    public static JsonElement.ArrayEnumerator Array(JsonElement node, string name) =>
        node.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray()
            : throw new AmphistaException($"'{name}' is missing or not a list");

    /// <summary>A property that may be absent or null (an optional component).</summary>
    public static JsonElement? Optional(JsonElement node, string name) =>
        node.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <summary>A Split or Replace "pattern": {"String": s} matches s literally, {"Regex": r} the regular expression.</summary>
    public static string Pattern(JsonElement node)
    {
        var pattern = node.TryGetProperty("pattern", out var p) ? p : throw new AmphistaException("'pattern' is missing");
        if (OptionalString(pattern, "String") is { } literal) return System.Text.RegularExpressions.Regex.Escape(literal);
        return OptionalString(pattern, "Regex") ?? throw new AmphistaException("'pattern' is neither a String nor a Regex");
    }

    public static AmphistaException Unsupported(string component, string type, string supported) =>
        new($"{component} type '{type}' is not supported (supported: {supported})");
}
