using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Amphista.Model.Checkpoints;
using Amphista.Tensors;
using FsCheck.Xunit;

namespace Amphista.Tests.Checkpoints;

/// <summary>What the writer writes, the reader reads back bit for bit, in every supported dtype.</summary>
public sealed class SafeTensorsWriterTests : IDisposable
{
    private readonly TestFiles files = new();

    public void Dispose() => files.Dispose();

    private static byte[] Bytes<T>(T[] values) where T : struct => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    [Fact]
    public void Every_dtype_and_the_metadata_round_trip()
    {
        float[] f32 = [1.5f, -2.25f, float.MaxValue, float.Epsilon, 0f, -0f];
        ushort[] bf16 = [DTypes.SingleToBF16(1f), DTypes.SingleToBF16(-3.5f), DTypes.SingleToBF16(1e-20f), 0];
        Half[] f16 = [(Half)0.5f, (Half)(-65504f), Half.Epsilon, (Half)3.140625f];
        long[] i64 = [1, -1, long.MaxValue, long.MinValue, 4096];
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "héllo" };
        string path = files.PathOf("all.safetensors");

        SafeTensorsWriter.Write(path,
        [
            ("f32", DType.F32, [2, 3], Bytes(f32)),
            ("bf16", DType.BF16, [2, 2], Bytes(bf16)),
            ("f16", DType.F16, [4], Bytes(f16)),
            ("tokens", DType.I64, [5], Bytes(i64)),
        ], metadata);

        using (var file = SafeTensorsFile.Open(path))
        {
            Assert.Equal(metadata, file.Metadata);
            Assert.Equal(["f32", "bf16", "f16", "tokens"], file.Entries.Values.OrderBy(e => e.Begin).Select(e => e.Name));
            Assert.Equal(new long[] { 2, 3 }, file.Entries["f32"].Shape);
            Assert.Equal(Bytes(bf16), file.Bytes(file.Entries["bf16"]).ToArray());
        }

        using var ckpt = Checkpoint.OpenFile(path);
        Assert.Equal(f32, ckpt.ReadF32("f32", 2, 3));
        var m = ckpt.ReadMatrix("bf16", 2, 2);
        Assert.Equal(DType.BF16, m.Type);
        Assert.Equal(bf16, m.BF16);
        Assert.Equal(-3.5f, m[0, 1]);
        Assert.Equal(f16.Select(h => (float)h), ckpt.ReadVector("f16", 4));
        Assert.Equal(i64, ckpt.ReadI64("tokens"));
    }

    [Fact]
    public void The_header_is_space_padded_to_a_multiple_of_8_bytes()
    {
        foreach (string name in new[] { "a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh" })
        {
            string path = files.PathOf(name + ".safetensors");
            SafeTensorsWriter.WriteF32(path, [(name, [1], [7f])]);
            byte[] bytes = File.ReadAllBytes(path);
            ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            Assert.Equal(0UL, n % 8);
            Assert.Equal(bytes.Length, 8 + (int)n + 4);
            using var ckpt = Checkpoint.OpenFile(path);
            Assert.Equal([7f], ckpt.ReadF32(name, 1));
        }
    }

    [Fact]
    public void A_file_without_metadata_has_an_empty_metadata_map()
    {
        string path = files.PathOf("plain.safetensors");
        SafeTensorsWriter.WriteF32(path, [("x", [0], [])]);
        using var file = SafeTensorsFile.Open(path);
        Assert.Empty(file.Metadata);
        Assert.Equal(0, file.Entries["x"].ByteLength);
    }

    [Fact]
    public void Writing_data_that_does_not_match_its_shape_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            SafeTensorsWriter.WriteF32(files.PathOf("bad.safetensors"), [("w", [2, 2], new float[3])]));
        Assert.Contains("tensor 'w'", e.Message);
    }

    [Fact]
    public void Writing_a_name_twice_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            SafeTensorsWriter.WriteF32(files.PathOf("dup.safetensors"), [("w", [1], [1f]), ("w", [1], [2f])]));
        Assert.Contains("'w'", e.Message);
    }

    [Property(MaxTest = 50)]
    public bool Any_float_vectors_round_trip_through_WriteF32(float[] a, float[] b)
    {
        string path = files.PathOf($"prop-{Guid.NewGuid():N}.safetensors");
        SafeTensorsWriter.WriteF32(path, [("a", [a.Length], a), ("b.weight", [1, b.Length], b)]);
        using var ckpt = Checkpoint.OpenFile(path);
        return Bytes(ckpt.ReadF32("a", a.Length)).AsSpan().SequenceEqual(Bytes(a))
            && Bytes(ckpt.ReadF32("b.weight", 1, b.Length)).AsSpan().SequenceEqual(Bytes(b));
    }
}
