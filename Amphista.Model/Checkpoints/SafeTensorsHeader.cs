using System.Text.Json;
using System.Text.Unicode;
using Amphista.Tensors;

namespace Amphista.Model.Checkpoints;

/// <summary>
/// Parses and validates a safetensors JSON header the way the reference (Rust) reader does:
/// known dtypes, non-negative shapes, byte sizes matching shape x dtype, and data offsets that
/// tile the data block exactly (no gaps, no overlaps, nothing left over).
/// </summary>
internal static class SafeTensorsHeader
{
    public const string MetadataKey = "__metadata__";

    public static (Dictionary<string, TensorEntry> Entries, Dictionary<string, string> Metadata) Parse(
        byte[] json, long dataLength, string path)
    {
        // JsonDocument defers UTF-8 checks of strings until they are read; check the whole header up front.
        if (!Utf8.IsValid(json))
            throw new CheckpointException($"{path}: header is not valid UTF-8 JSON (invalid UTF-8 bytes)");
        JsonDocument doc;
        try
        {
            // Duplicate tensor names would make the layout ambiguous; the format disallows them.
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{path}: header is not valid UTF-8 JSON ({e.Message})", e);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new CheckpointException($"{path}: header must be a JSON object, found {doc.RootElement.ValueKind}");

            var entries = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == MetadataKey)
                    ReadMetadata(prop.Value, metadata, path);
                else
                    entries.Add(prop.Name, ReadEntry(prop.Name, prop.Value, dataLength, path));
            }
            CheckTiling(entries.Values, dataLength, path);
            return (entries, metadata);
        }
    }

    public static bool TryParseDType(string name, out DType type)
    {
        switch (name)
        {
            case "F32": type = DType.F32; return true;
            case "F16": type = DType.F16; return true;
            case "BF16": type = DType.BF16; return true;
            case "I64": type = DType.I64; return true;
            case "F64": type = DType.F64; return true;
            default: type = default; return false;
        }
    }

    public static string DTypeName(DType type) => type switch
    {
        DType.F32 => "F32",
        DType.F16 => "F16",
        DType.BF16 => "BF16",
        DType.I64 => "I64",
        DType.F64 => "F64",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string path)
    {
        if (value.ValueKind == JsonValueKind.Null) return;
        if (value.ValueKind != JsonValueKind.Object)
            throw new CheckpointException($"{path}: {MetadataKey} must be an object of strings");
        foreach (var kv in value.EnumerateObject())
        {
            if (kv.Value.ValueKind != JsonValueKind.String)
                throw new CheckpointException($"{path}: {MetadataKey} value '{kv.Name}' must be a string, found {kv.Value.ValueKind}");
            metadata[kv.Name] = kv.Value.GetString()!;
        }
    }

    private static TensorEntry ReadEntry(string name, JsonElement value, long dataLength, string path)
    {
        string where = $"{path}: tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object)
            throw new CheckpointException($"{where}: entry must be an object, found {value.ValueKind}");

        if (!value.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String)
            throw new CheckpointException($"{where}: missing or non-string 'dtype'");
        string dtypeName = dtypeEl.GetString()!;
        if (!TryParseDType(dtypeName, out var dtype))
            throw new CheckpointException($"{where}: unknown or unsupported dtype '{dtypeName}' (supported: F32, F16, BF16, I64, F64)");

        if (!value.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array)
            throw new CheckpointException($"{where}: missing or non-array 'shape'");
        var shape = new long[shapeEl.GetArrayLength()];
        int i = 0;
        foreach (var dim in shapeEl.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long d))
                throw new CheckpointException($"{where}: shape entry {dim} is not an integer");
            if (d < 0)
                throw new CheckpointException($"{where}: negative dimension {d} in shape");
            shape[i++] = d;
        }

        if (!value.TryGetProperty("data_offsets", out var offEl) || offEl.ValueKind != JsonValueKind.Array
            || offEl.GetArrayLength() != 2)
            throw new CheckpointException($"{where}: missing 'data_offsets' (expected [begin, end])");
        long begin = ReadOffset(offEl[0], where);
        long end = ReadOffset(offEl[1], where);
        if (begin > end)
            throw new CheckpointException($"{where}: data_offsets begin {begin} > end {end}");
        if (end > dataLength)
            throw new CheckpointException($"{where}: data_offsets end {end} is beyond the data block ({dataLength} bytes)");

        long expected = ExpectedBytes(shape, dtype, where);
        if (end - begin != expected)
            throw new CheckpointException(
                $"{where}: holds {end - begin} bytes but shape {TensorEntry.FormatShape(shape)} of {dtypeName} needs {expected}");
        return new TensorEntry(name, dtype, shape, begin, end);
    }

    private static long ReadOffset(JsonElement el, string where)
    {
        if (el.ValueKind != JsonValueKind.Number || !el.TryGetInt64(out long v) || v < 0)
            throw new CheckpointException($"{where}: data_offsets entry {el} is not a non-negative integer");
        return v;
    }

    private static long ExpectedBytes(long[] shape, DType dtype, string where)
    {
        try
        {
            long n = DTypes.SizeOf(dtype);
            foreach (long d in shape) n = checked(n * d);
            return n;
        }
        catch (OverflowException)
        {
            throw new CheckpointException($"{where}: shape {TensorEntry.FormatShape(shape)} overflows a 64-bit byte count");
        }
    }

    private static void CheckTiling(IEnumerable<TensorEntry> entries, long dataLength, string path)
    {
        var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        long expectedBegin = 0;
        TensorEntry? previous = null;
        foreach (var e in sorted)
        {
            if (e.Begin < expectedBegin)
                throw new CheckpointException(
                    $"{path}: tensors '{previous!.Name}' [{previous.Begin}, {previous.End}) and '{e.Name}' [{e.Begin}, {e.End}) overlap");
            if (e.Begin > expectedBegin)
            {
                string after = previous is null ? "the start of the data block" : $"tensor '{previous.Name}'";
                throw new CheckpointException(
                    $"{path}: gap of {e.Begin - expectedBegin} bytes between {after} and tensor '{e.Name}' (offsets must tile the data block)");
            }
            expectedBegin = e.End;
            previous = e;
        }
        if (expectedBegin != dataLength)
        {
            string after = previous is null ? "an empty header" : $"the last tensor '{previous.Name}'";
            throw new CheckpointException(
                $"{path}: {dataLength - expectedBegin} unused bytes in the data block after {after} (offsets must tile the data block)");
        }
    }
}
