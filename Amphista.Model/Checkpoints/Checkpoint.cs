using System.Text.Json;
using System.Text.Unicode;
using Amphista.Tensors;

namespace Amphista.Model.Checkpoints;

/// <summary>
/// A model's weights as a name -> tensor map over one or more memory-mapped safetensors files:
/// a Hugging Face directory (sharded through model.safetensors.index.json, or one model.safetensors)
/// or a single file such as a drafter's heads. Reads convert to the forms the kernels carry; a
/// checkpoint opened for in-place reading serves matrices already in such a form (BF16 or F32) as
/// views of the mapped files, valid until it is disposed, instead of copies.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    public const string IndexFileName = "model.safetensors.index.json";
    public const string SingleFileName = "model.safetensors";

    private readonly List<SafeTensorsFile> files;
    private readonly Dictionary<string, SafeTensorsFile> byName;

    /// <summary>The directory or file this checkpoint was opened from (used in messages).</summary>
    public string Location { get; }

    public IEnumerable<string> Names => byName.Keys;

    /// <summary>Whether <see cref="ReadMatrix"/> serves BF16 and F32 matrices in place.</summary>
    public bool InPlace { get; }

    private Checkpoint(string location, List<SafeTensorsFile> files, Dictionary<string, SafeTensorsFile> byName, bool inPlace)
    {
        Location = location;
        this.files = files;
        this.byName = byName;
        InPlace = inPlace;
    }

    /// <summary>
    /// Opens a model directory. With inPlace, matrices read from it lie in its mapped files and live
    /// as long as this checkpoint: dispose it only once nothing uses the weights.
    /// </summary>
    public static Checkpoint Open(string directory, bool inPlace = false)
    {
        if (!Directory.Exists(directory))
            throw new CheckpointException($"{directory}: checkpoint directory not found");
        string index = Path.Combine(directory, IndexFileName);
        if (File.Exists(index)) return OpenSharded(directory, index, inPlace);
        string single = Path.Combine(directory, SingleFileName);
        if (File.Exists(single)) return OpenFile(single, directory, inPlace);
        throw new CheckpointException(
            $"{directory}: no checkpoint found (looked for {IndexFileName} and {SingleFileName})");
    }

    public static Checkpoint OpenFile(string safetensorsPath) => OpenFile(safetensorsPath, safetensorsPath, inPlace: false);

    private static Checkpoint OpenFile(string path, string location, bool inPlace)
    {
        var file = SafeTensorsFile.Open(path);
        var byName = file.Entries.Keys.ToDictionary(n => n, _ => file, StringComparer.Ordinal);
        return new Checkpoint(location, [file], byName, inPlace);
    }

    private static Checkpoint OpenSharded(string directory, string indexPath, bool inPlace)
    {
        var weightMap = ReadWeightMap(indexPath);
        var shards = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
        try
        {
            var byName = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
            foreach (var (name, shardName) in weightMap)
            {
                if (!shards.TryGetValue(shardName, out var shard))
                {
                    string shardPath = Path.Combine(directory, shardName);
                    if (!File.Exists(shardPath))
                        throw new CheckpointException(
                            $"{indexPath}: shard file '{shardName}' (holding tensor '{name}') not found in {directory}");
                    shard = SafeTensorsFile.Open(shardPath);
                    shards.Add(shardName, shard);
                }
                if (!shard.Entries.ContainsKey(name))
                    throw new CheckpointException(
                        $"{indexPath}: tensor '{name}' is mapped to '{shardName}' but that shard does not contain it");
                byName.Add(name, shard);
            }
            return new Checkpoint(directory, shards.Values.ToList(), byName, inPlace);
        }
        catch
        {
            foreach (var s in shards.Values) s.Dispose();
            throw;
        }
    }

    private static List<(string Name, string Shard)> ReadWeightMap(string indexPath)
    {
        try
        {
            byte[] bytes = File.ReadAllBytes(indexPath);
            // JsonDocument checks a string's UTF-8 only when it is read; check the whole file up front.
            if (!Utf8.IsValid(bytes)) throw new CheckpointException($"{indexPath}: not valid UTF-8");
            using var doc = JsonDocument.Parse(bytes);
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("weight_map", out var map)
                || map.ValueKind != JsonValueKind.Object)
                throw new CheckpointException($"{indexPath}: missing 'weight_map' object");
            var result = new List<(string, string)>();
            foreach (var p in map.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String)
                    throw new CheckpointException($"{indexPath}: weight_map entry for tensor '{p.Name}' is not a file name");
                result.Add((p.Name, p.Value.GetString()!));
            }
            return result;
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{indexPath}: invalid JSON ({e.Message})", e);
        }
    }

    public bool Contains(string name) => byName.ContainsKey(name);

    public TensorEntry Info(string name) => FileOf(name).Entries[name];

    /// <summary>
    /// Any float tensor widened to float32. With expectedShape given, the stored shape must equal it;
    /// with none, any shape is accepted.
    /// </summary>
    public float[] ReadF32(string name, params long[] expectedShape)
    {
        var bytes = Raw(name, out var entry);
        if (expectedShape.Length > 0) CheckShape(entry, expectedShape);
        return entry.Type switch
        {
            DType.F32 => TensorConvert.F32(bytes),
            DType.F16 => TensorConvert.F16ToF32(bytes),
            DType.BF16 => TensorConvert.BF16ToF32(bytes),
            _ => throw WrongType(entry, "a float type (F32, F16, BF16)"),
        };
    }

    public float[] ReadVector(string name, int length) => ReadF32(name, length);

    /// <summary>
    /// A [rows, cols] matrix kept as stored when BF16 or F32 (in place when <see cref="InPlace"/> and
    /// the tensor lies at an offset aligned to its element size, else copied); F16 is widened to F32.
    /// </summary>
    public WeightMatrix ReadMatrix(string name, int rows, int cols)
    {
        var bytes = Raw(name, out var entry);
        CheckShape(entry, [rows, cols]);
        if (InPlace && Mapped(entry, rows, cols) is { } mapped) return mapped;
        return entry.Type switch
        {
            DType.F32 => WeightMatrix.FromF32(rows, cols, TensorConvert.F32(bytes)),
            DType.F16 => WeightMatrix.FromF32(rows, cols, TensorConvert.F16ToF32(bytes)),
            DType.BF16 => WeightMatrix.FromBF16(rows, cols, TensorConvert.Bits16(bytes)),
            _ => throw WrongType(entry, "a float type (F32, F16, BF16)"),
        };
    }

    private WeightMatrix? Mapped(TensorEntry entry, int rows, int cols)
    {
        var file = byName[entry.Name];
        return entry.Type switch
        {
            DType.BF16 when file.InPlace<ushort>(entry) is { } bits => WeightMatrix.FromBF16(rows, cols, bits),
            DType.F32 when file.InPlace<float>(entry) is { } values => WeightMatrix.FromF32(rows, cols, values),
            _ => null,
        };
    }

    public long[] ReadI64(string name)
    {
        var bytes = Raw(name, out var entry);
        if (entry.Type != DType.I64) throw WrongType(entry, "I64");
        return TensorConvert.I64(bytes);
    }

    /// <summary>Reference outputs (logits computed in float64) are compared at full precision.</summary>
    public double[] ReadF64(string name)
    {
        var bytes = Raw(name, out var entry);
        if (entry.Type != DType.F64) throw WrongType(entry, "F64");
        return TensorConvert.F64(bytes);
    }

    public void Dispose()
    {
        foreach (var f in files) f.Dispose();
    }

    private SafeTensorsFile FileOf(string name) => byName.TryGetValue(name, out var f)
        ? f
        : throw new CheckpointException($"tensor '{name}' not found in {Location}");

    private ReadOnlySpan<byte> Raw(string name, out TensorEntry entry)
    {
        var file = FileOf(name);
        entry = file.Entries[name];
        return file.Bytes(entry);
    }

    private void CheckShape(TensorEntry entry, long[] expected)
    {
        if (!entry.Shape.AsSpan().SequenceEqual(expected))
            throw new CheckpointException(
                $"{Location}: tensor '{entry.Name}' has shape {entry.ShapeText}, expected {TensorEntry.FormatShape(expected)}");
    }

    private CheckpointException WrongType(TensorEntry entry, string wanted) =>
        new($"{Location}: tensor '{entry.Name}' is {entry.Type}, expected {wanted}");
}
