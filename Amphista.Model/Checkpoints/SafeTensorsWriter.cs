using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Amphista.Tensors;

namespace Amphista.Model.Checkpoints;

/// <summary>
/// Writes .safetensors files (forward-pass dumps, drafter weights, test fixtures). Tensors are laid
/// out in the order given; the JSON header is space-padded to a multiple of 8 bytes, as the
/// reference writer does, so the data block starts 8-byte aligned.
/// </summary>
public static class SafeTensorsWriter
{
    /// <summary>The little-endian bytes of the tensor at index in a layout, produced when it is written.</summary>
    public delegate ReadOnlySpan<byte> TensorBytes(int index);

    public static void Write(string path, IEnumerable<(string Name, DType Type, long[] Shape, byte[] Data)> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        foreach (var t in list) CheckSize(t.Name, t.Type, t.Shape, t.Data.Length);
        Write(path, [.. list.Select(t => (t.Name, t.Type, t.Shape))], i => list[i].Data, metadata);
    }

    /// <summary>
    /// Writes the tensors of layout, asking data for each one's bytes only as it is written, so a model
    /// far larger than memory allows twice can be written from where it lies.
    /// </summary>
    public static void Write(string path, IReadOnlyList<(string Name, DType Type, long[] Shape)> layout, TensorBytes data,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        byte[] header = BuildHeader(layout, metadata);

        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        for (int i = 0; i < layout.Count; i++)
        {
            var bytes = data(i);
            CheckSize(layout[i].Name, layout[i].Type, layout[i].Shape, bytes.Length);
            stream.Write(bytes);
        }
    }

    /// <summary>Float32 tensors with int shapes: the form activations and logits are held in.</summary>
    public static void WriteF32(string path, IEnumerable<(string Name, int[] Shape, float[] Data)> tensors) =>
        Write(path, tensors.Select(t => (
            t.Name,
            DType.F32,
            t.Shape.Select(d => (long)d).ToArray(),
            MemoryMarshal.AsBytes(t.Data.AsSpan()).ToArray())));

    private static byte[] BuildHeader(IReadOnlyList<(string Name, DType Type, long[] Shape)> tensors,
        IReadOnlyDictionary<string, string>? metadata)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var buffer = new MemoryStream();
        // Relaxed escaping keeps non-ASCII tensor names as raw UTF-8, as the reference writer emits them.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(SafeTensorsHeader.MetadataKey);
                foreach (var kv in metadata) json.WriteString(kv.Key, kv.Value);
                json.WriteEndObject();
            }

            long offset = 0;
            foreach (var t in tensors)
            {
                if (t.Name == SafeTensorsHeader.MetadataKey || !names.Add(t.Name))
                    throw new ArgumentException($"tensor name '{t.Name}' is reserved or used twice", nameof(tensors));
                long size = ByteLength(t.Name, t.Type, t.Shape);
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", SafeTensorsHeader.DTypeName(t.Type));
                json.WriteStartArray("shape");
                foreach (long d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + size);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += size;
            }
            json.WriteEndObject();
        }

        int padded = (int)((buffer.Length + 7) / 8 * 8);
        while (buffer.Length < padded) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    private static void CheckSize(string name, DType type, long[] shape, int byteLength)
    {
        long expected = ByteLength(name, type, shape);
        if (expected != byteLength)
            throw new ArgumentException(
                $"tensor '{name}': {byteLength} bytes of data but shape {TensorEntry.FormatShape(shape)} of {type} needs {expected}",
                nameof(shape));
    }

    private static long ByteLength(string name, DType type, long[] shape)
    {
        long bytes = DTypes.SizeOf(type);
        foreach (long d in shape)
        {
            if (d < 0) throw new ArgumentException($"tensor '{name}': negative dimension {d}", nameof(shape));
            bytes = checked(bytes * d);
        }
        return bytes;
    }
}
