using System.Runtime.InteropServices;
using System.Text.Json;
using Amphista.Model.Checkpoints;
using Amphista.Tensors;

namespace Amphista.Model.Llama;

/// <summary>
/// Writes a Llama model as a Hugging Face checkpoint directory, laid out as transformers'
/// save_pretrained does: config.json, and the weights under their HF names in model.safetensors or,
/// split by size into N shards, model-0000k-of-0000N.safetensors with model.safetensors.index.json.
/// Matrices keep their stored type; norm gains are written as F32 (what they are held as), so
/// loading the directory gives back the same bits.
/// </summary>
public static class HfCheckpointWriter
{
    private sealed record Entry(string Name, WeightMatrix? Matrix, float[]? Vector)
    {
        public (string, DType, long[]) Layout => Matrix is { } m
            ? (Name, m.Type, [m.Rows, m.Cols])
            : (Name, DType.F32, [Vector!.Length]);

        public long ByteLength => Matrix?.ByteSize ?? 4L * Vector!.Length;

        public ReadOnlySpan<byte> Bytes => Matrix is { } m ? m.Bytes : MemoryMarshal.AsBytes(Vector.AsSpan());
    }

    public static void Write(string directory, LlamaConfig config, LlamaWeights weights, int shards = 1)
    {
        var entries = Entries(config, weights);
        if (shards < 1 || shards > entries.Count)
            throw new InputException($"cannot split a model of {entries.Count} tensors into {shards} shards");
        Directory.CreateDirectory(directory);
        config.Save(directory, weights.Embedding.Type);
        if (shards == 1)
        {
            WriteFile(Path.Combine(directory, Checkpoint.SingleFileName), entries);
            return;
        }
        var parts = Split(entries, shards);
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int k = 0; k < parts.Count; k++)
        {
            string name = $"model-{k + 1:D5}-of-{parts.Count:D5}.safetensors";
            WriteFile(Path.Combine(directory, name), parts[k]);
            foreach (var e in parts[k]) weightMap[e.Name] = name;
        }
        WriteIndex(Path.Combine(directory, Checkpoint.IndexFileName), entries.Sum(e => e.ByteLength), weightMap);
    }

    private static List<Entry> Entries(LlamaConfig c, LlamaWeights w)
    {
        var entries = new List<Entry> { new("model.embed_tokens.weight", w.Embedding, null) };
        for (int i = 0; i < w.Layers.Length; i++)
        {
            entries.AddRange(w.Layers[i].Named($"model.layers.{i}.").Select(t => new Entry(t.Name, t.Matrix, t.Vector)));
        }
        entries.Add(new("model.norm.weight", null, w.FinalNorm));
        if (!(c.TieWordEmbeddings && ReferenceEquals(w.LmHead, w.Embedding))) entries.Add(new("lm_head.weight", w.LmHead, null));
        return entries;
    }

    /// <summary>Consecutive runs of tensors, shard k ending where the running size first reaches k/N of the total.</summary>
    private static List<List<Entry>> Split(List<Entry> entries, int shards)
    {
        long total = entries.Sum(e => e.ByteLength), written = 0;
        var parts = new List<List<Entry>> { new() };
        foreach (var e in entries)
        {
            if (parts[^1].Count > 0 && written >= total * parts.Count / shards) parts.Add([]);
            parts[^1].Add(e);
            written += e.ByteLength;
        }
        return parts;
    }

    private static void WriteFile(string path, List<Entry> entries) =>
        SafeTensorsWriter.Write(path, [.. entries.Select(e => e.Layout)], i => entries[i].Bytes);

    private static void WriteIndex(string path, long totalSize, SortedDictionary<string, string> weightMap)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartObject("metadata");
        json.WriteNumber("total_size", totalSize);
        json.WriteEndObject();
        json.WriteStartObject("weight_map");
        foreach (var (name, file) in weightMap) json.WriteString(name, file);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
