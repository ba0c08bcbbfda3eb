using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace Amphista.Tests.Checkpoints.Fuzz;

/// <summary>
/// Seeded corruptions of a checkpoint directory's files (file name -> bytes): raw byte flips,
/// truncation and appended junk anywhere; in safetensors files a declared header length that lies,
/// and header JSON edits (dtypes, shapes, data offsets, missing and duplicated entries, metadata);
/// in JSON files (config, index) a field deleted, retyped or set to an edge value; a file deleted.
/// Each returns a description of what it did, for the failure message. Two corruptions keep the
/// checkpoint valid and say so: data-block bytes, and header padding that unaligns the data.
/// </summary>
internal sealed class CheckpointMutator(Random rng)
{
    /// <summary>Broken, or still valid with other weight values, or with the same weights (only header padding changed); in that order, so two corruptions are the lesser.</summary>
    public enum Validity { Broken, OtherValues, SameWeights }

    private static readonly JsonNode?[] EdgeValues =
    [
        0, -1, 1, 2, 3, 7, 8, 64, 255, 4096, int.MaxValue, int.MinValue, (long)int.MaxValue + 1, long.MaxValue, long.MinValue,
        1e300, -1e300, 0.5, 1.5, -0.0, "NaN", "", "abc", "1", null, true, false, new JsonArray(), new JsonObject(),
        new JsonArray(1, 2), new JsonArray("a"), ulong.MaxValue,
    ];

    private static readonly string[] DTypeNames = ["F32", "F16", "BF16", "I64", "F64", "I32", "U8", "BOOL", "F8_E4M3", "", "f32", "bf16"];

    /// <summary>Corrupts one of files, other than the one named besides (already corrupted: this one parses files intact).</summary>
    public (string File, string What, Validity Validity) Mutate(Dictionary<string, byte[]> files, string? besides = null)
    {
        var names = files.Keys.Where(n => n != besides).Order(StringComparer.Ordinal).ToArray();
        string name = names[rng.Next(names.Length)];
        byte[] bytes = files[name];
        if (rng.Next(40) == 0)
        {
            files.Remove(name);
            return (name, $"deleted {name}", Validity.Broken);
        }
        if (name.EndsWith(".safetensors", StringComparison.Ordinal))
        {
            var (tensorsWhat, validity) = Tensors(files, name, bytes);
            return (name, tensorsWhat, validity);
        }
        (files[name], string what) = rng.Next(4) == 0 ? Bytes(bytes) : Json(bytes);
        return (name, $"{name}: {what}", Validity.Broken);
    }

    private (string, Validity) Tensors(Dictionary<string, byte[]> files, string name, byte[] bytes)
    {
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        string what;
        var validity = Validity.Broken;
        switch (rng.Next(8))
        {
            case 0:
            case 1:
                (files[name], what) = Header(bytes, headerEnd);
                break;
            case 2:
                files[name] = WithHeaderLength(bytes, HeaderLengthLie(headerEnd - 8, bytes.Length));
                what = $"header length {BinaryPrimitives.ReadUInt64LittleEndian(files[name])} (was {headerEnd - 8})";
                break;
            case 3:
                (files[name], what) = Flip(bytes, 0, headerEnd);
                break;
            case 4:
                (files[name], what) = Bytes(bytes);
                break;
            case 5:
                (files[name], what) = Flip(bytes, headerEnd, bytes.Length);
                validity = headerEnd < bytes.Length ? Validity.OtherValues : Validity.Broken;
                break;
            default:
                int pad = rng.Next(1, 8);
                files[name] = Rewrite(bytes, headerEnd, Encoding.UTF8.GetString(bytes, 8, headerEnd - 8).TrimEnd(' ') + new string(' ', pad));
                what = $"header padded by {pad} spaces, unaligning the data";
                validity = Validity.SameWeights;
                break;
        }
        return ($"{name}: {what}", validity);
    }

    /// <summary>An edit of the header JSON, written back with a header length that matches it.</summary>
    private (byte[], string) Header(byte[] bytes, int headerEnd)
    {
        var root = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, headerEnd - 8))!.AsObject();
        var tensors = root.Where(p => p.Key != "__metadata__").Select(p => p.Key).Order(StringComparer.Ordinal).ToArray();
        string tensor = tensors[rng.Next(tensors.Length)];
        var entry = root[tensor]!.AsObject();
        string what;
        switch (rng.Next(9))
        {
            case 0:
                var dtype = DTypeNames[rng.Next(DTypeNames.Length)];
                entry["dtype"] = rng.Next(8) == 0 ? Edge() : dtype;
                what = $"'{tensor}' dtype {entry["dtype"]?.ToJsonString()}";
                break;
            case 1:
                entry["shape"] = Shape(entry["shape"]!.AsArray());
                what = $"'{tensor}' shape {entry["shape"]?.ToJsonString()}";
                break;
            case 2:
            case 3:
                entry["data_offsets"] = Offsets(entry["data_offsets"]!.AsArray());
                what = $"'{tensor}' data_offsets {entry["data_offsets"]?.ToJsonString()}";
                break;
            case 4:
                string key = new[] { "dtype", "shape", "data_offsets" }[rng.Next(3)];
                entry.Remove(key);
                what = $"'{tensor}' without {key}";
                break;
            case 5:
                root.Remove(tensor);
                what = $"'{tensor}' removed";
                break;
            case 6:
                root["__metadata__"] = rng.Next(2) == 0 ? Edge() : new JsonObject { ["format"] = Edge() };
                what = $"__metadata__ {root["__metadata__"]?.ToJsonString()}";
                break;
            case 7:
                string text = root.ToJsonString();
                string copy = $"\"{tensor}\":{entry.ToJsonString()}";
                return (Rewrite(bytes, headerEnd, text[..^1] + "," + copy + "}"), $"'{tensor}' listed twice");
            default:
                root[tensor] = Edge();
                what = $"'{tensor}' entry {root[tensor]?.ToJsonString()}";
                break;
        }
        return (Rewrite(bytes, headerEnd, root.ToJsonString()), what);
    }

    private JsonNode? Shape(JsonArray shape)
    {
        var dims = shape.Select(d => d?.DeepClone()).ToList();
        switch (rng.Next(5))
        {
            case 4 when dims.Count > 0:
                long count = dims.Aggregate(1L, (n, d) => n * d!.GetValue<long>());
                return rng.Next(2) == 0 ? new JsonArray(count) : new JsonArray([.. dims.Reverse<JsonNode?>().Append(1)]);
            case 0 when dims.Count > 0:
                int i = rng.Next(dims.Count);
                dims[i] = rng.Next(2) == 0 ? Edge() : dims[i]!.GetValue<long>() + rng.Next(-2, 3);
                break;
            case 1:
                dims.Insert(rng.Next(dims.Count + 1), rng.Next(2) == 0 ? 1 : Edge());
                break;
            case 2 when dims.Count > 0:
                dims.RemoveAt(rng.Next(dims.Count));
                break;
            default:
                return Edge();
        }
        return new JsonArray([.. dims]);
    }

    private JsonNode? Offsets(JsonArray offsets)
    {
        long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
        return rng.Next(6) switch
        {
            0 => new JsonArray(end, begin),
            1 => new JsonArray(begin + rng.Next(-8, 9), end),
            2 => new JsonArray(begin, end + rng.Next(-8, 9)),
            3 => new JsonArray(Edge(), end),
            4 => new JsonArray(begin, Edge()),
            _ => rng.Next(2) == 0 ? new JsonArray(begin, end, end) : Edge(),
        };
    }

    /// <summary>A field of a JSON file (anywhere in it) deleted or set to an edge value, or a field added.</summary>
    private (byte[], string) Json(byte[] bytes)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(bytes);
        }
        catch (System.Text.Json.JsonException)
        {
            return Bytes(bytes);
        }
        var fields = new List<(JsonObject Parent, string Key)>();
        Collect(root, fields);
        if (fields.Count == 0 || rng.Next(20) == 0)
            return (Encoding.UTF8.GetBytes(Edge()?.ToJsonString() ?? "null"), "replaced by an edge value");
        var (parent, key) = fields[rng.Next(fields.Count)];
        string what;
        switch (rng.Next(5))
        {
            case 0:
                parent.Remove(key);
                what = $"'{key}' removed";
                break;
            case 1 when parent[key] is JsonValue v && v.TryGetValue(out long n):
                parent[key] = n + rng.Next(-2, 3) * (rng.Next(2) == 0 ? 1 : 1000);
                what = $"'{key}' {n} -> {parent[key]!.ToJsonString()}";
                break;
            case 2 when parent[key] is JsonValue v && v.TryGetValue(out string? s):
                parent[key] = rng.Next(3) switch { 0 => s + "x", 1 => "../" + s, _ => "config.json" };
                what = $"'{key}' '{s}' -> {parent[key]!.ToJsonString()}";
                break;
            default:
                parent[key] = Edge();
                what = $"'{key}' -> {parent[key]?.ToJsonString() ?? "null"}";
                break;
        }
        return (Encoding.UTF8.GetBytes(root!.ToJsonString()), what);
    }

    private static void Collect(JsonNode? node, List<(JsonObject, string)> fields)
    {
        if (node is JsonObject o)
            foreach (var (key, value) in o)
            {
                fields.Add((o, key));
                Collect(value, fields);
            }
        else if (node is JsonArray a)
            foreach (var item in a) Collect(item, fields);
    }

    private (byte[], string) Bytes(byte[] bytes) => rng.Next(3) switch
    {
        0 => Flip(bytes, 0, bytes.Length),
        1 => Truncate(bytes),
        _ => ([.. bytes, .. Enumerable.Range(0, rng.Next(1, 65)).Select(_ => (byte)rng.Next(256))], "junk appended"),
    };

    private (byte[], string) Flip(byte[] bytes, int from, int to)
    {
        var copy = (byte[])bytes.Clone();
        if (to <= from) return (copy, "nothing to flip");
        int n = rng.Next(1, 9);
        for (int i = 0; i < n; i++) copy[rng.Next(from, to)] ^= (byte)rng.Next(1, 256);
        return (copy, $"{n} bytes in [{from}, {to}) changed");
    }

    private (byte[], string) Truncate(byte[] bytes)
    {
        int length = rng.Next(bytes.Length);
        return (bytes[..length], $"truncated to {length} of {bytes.Length} bytes");
    }

    private ulong HeaderLengthLie(int actual, int fileLength) => rng.Next(7) switch
    {
        0 => 0,
        1 => (ulong)Math.Max(0, actual + rng.Next(-9, 10)),
        2 => (ulong)fileLength,
        3 => (ulong)fileLength - 7,
        4 => ulong.MaxValue - (ulong)rng.Next(16),
        5 => (ulong)int.MaxValue + (ulong)rng.Next(-2, 3),
        _ => (ulong)rng.NextInt64(),
    };

    private JsonNode? Edge() => EdgeValues[rng.Next(EdgeValues.Length)]?.DeepClone();

    private static byte[] WithHeaderLength(byte[] bytes, ulong length)
    {
        var copy = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(copy, length);
        return copy;
    }

    /// <summary>The file with its header replaced by json and the length prefix saying so.</summary>
    private static byte[] Rewrite(byte[] bytes, int headerEnd, string json)
    {
        byte[] header = Encoding.UTF8.GetBytes(json);
        var result = new byte[8 + header.Length + bytes.Length - headerEnd];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)header.Length);
        header.CopyTo(result, 8);
        bytes.AsSpan(headerEnd).CopyTo(result.AsSpan(8 + header.Length));
        return result;
    }
}
