using System.Text.Json;

namespace Amphista.Model;

/// <summary>
/// Typed access to the fields of a JSON config (the base model's config.json and the drafters'),
/// with ConfigException messages naming the file and field. A JSON null counts as absent, as
/// transformers writes null for unset optional fields.
/// </summary>
public sealed class ConfigFieldReader(JsonElement obj, string sourceName)
{
    /// <summary>Parses a config file's text, which must be one JSON object; the caller disposes it.</summary>
    public static JsonDocument ParseObject(string json, string sourceName)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ConfigException($"{sourceName}: invalid JSON ({e.Message})", e);
        }
        if (doc.RootElement.ValueKind == JsonValueKind.Object) return doc;
        var kind = doc.RootElement.ValueKind;
        doc.Dispose();
        throw new ConfigException($"{sourceName}: expected a JSON object, found {kind}");
    }

    public int RequiredInt(string field) => OptionalInt(field) ?? throw Missing(field);

    public double RequiredDouble(string field) => OptionalDouble(field) ?? throw Missing(field);

    public float RequiredFloat(string field) => OptionalFloat(field) ?? throw Missing(field);

    /// <summary>Parsed straight to float32: through double, a shortest-form float could round twice.</summary>
    public float? OptionalFloat(string field)
    {
        if (!TryGet(field, out var el)) return null;
        if (el.ValueKind != JsonValueKind.Number)
            throw new ConfigException($"{sourceName}: field '{field}' must be a number, found {el.ValueKind}");
        return el.GetSingle();
    }

    public int? OptionalInt(string field)
    {
        if (!TryGet(field, out var el)) return null;
        return AsInt(el, field);
    }

    public double? OptionalDouble(string field)
    {
        if (!TryGet(field, out var el)) return null;
        if (el.ValueKind != JsonValueKind.Number)
            throw new ConfigException($"{sourceName}: field '{field}' must be a number, found {el.ValueKind}");
        return el.GetDouble();
    }

    public bool? OptionalBool(string field)
    {
        if (!TryGet(field, out var el)) return null;
        return el.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ConfigException($"{sourceName}: field '{field}' must be true or false, found {el.ValueKind}"),
        };
    }

    public string? OptionalString(string field)
    {
        if (!TryGet(field, out var el)) return null;
        if (el.ValueKind != JsonValueKind.String)
            throw new ConfigException($"{sourceName}: field '{field}' must be a string, found {el.ValueKind}");
        return el.GetString();
    }

    public ConfigFieldReader? OptionalObject(string field)
    {
        if (!TryGet(field, out var el)) return null;
        if (el.ValueKind != JsonValueKind.Object)
            throw new ConfigException($"{sourceName}: field '{field}' must be an object, found {el.ValueKind}");
        return new ConfigFieldReader(el, $"{sourceName}: {field}");
    }

    /// <summary>Newer configs list several end-of-sequence ids; older ones give one integer.</summary>
    public int[]? OptionalIntOrList(string field)
    {
        if (!TryGet(field, out var el)) return null;
        if (el.ValueKind != JsonValueKind.Array) return [AsInt(el, field)];
        return el.EnumerateArray().Select(x => AsInt(x, field)).ToArray();
    }

    private bool TryGet(string field, out JsonElement el) =>
        obj.TryGetProperty(field, out el) && el.ValueKind != JsonValueKind.Null;

    private int AsInt(JsonElement el, string field)
    {
        if (el.ValueKind == JsonValueKind.Number && el.TryGetInt32(out int v)) return v;
        throw new ConfigException($"{sourceName}: field '{field}' must be an integer, found {el}");
    }

    private ConfigException Missing(string field) =>
        new($"{sourceName}: required field '{field}' is missing");
}
