using System.Buffers.Binary;
using System.Text;
using Amphista.Model;
using Amphista.Model.Checkpoints;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using Amphista.Tests.Checkpoints;
using Amphista.Tests.Support;

namespace Amphista.Tests.Model;

/// <summary>
/// A model loaded from a directory uses its BF16 and F32 matrices where they lie in the mapped
/// safetensors files: loading copies none of them, the bits are those a copy would hold, the model
/// owns the mapping, and a tensor whose offset is unaligned for its type is the one thing copied.
/// </summary>
public sealed class InPlaceWeightsTests : IDisposable
{
    private readonly TestFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public void Loading_the_demo_model_allocates_a_small_fraction_of_its_weights()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        using var model = LlamaModel.Load(TestData.DemoDir, new ReferenceKernels());
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        long weights = MatrixBytes(model.Weights);
        Assert.True(allocated < weights / 20, $"loading allocated {allocated} bytes for {weights} bytes of matrices");
    }

    [Theory]
    [InlineData("demo")]
    [InlineData("tiny")]
    public void Weights_in_place_hold_the_bits_of_weights_copied_out(string which)
    {
        string dir = which == "demo" ? TestData.DemoDir : TestData.TinyDir;
        using var model = LlamaModel.Load(dir, new ReferenceKernels());
        using var checkpoint = Checkpoint.Open(dir);
        Assert.False(checkpoint.InPlace);

        AssertSameWeights(LlamaWeights.Load(checkpoint, model.Config), model.Weights);
    }

    [Fact]
    public void Disposing_the_model_unmaps_its_weights()
    {
        var model = LlamaModel.Load(TestData.TinyDir, new ReferenceKernels());
        var wq = model.Weights.Layers[0].Wq;
        Assert.Equal(DType.F32, wq.Type);
        float first = wq.F32[0];

        model.Dispose();

        Assert.Throws<ObjectDisposedException>(() => wq.F32[0] == first);
    }

    [Fact]
    public void A_tensor_at_an_offset_unaligned_for_its_type_is_copied_with_the_same_bits()
    {
        string dir = files.PathOf("unaligned");
        Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(TestFiles.TinyA, "config.json"), Path.Combine(dir, "config.json"));
        File.WriteAllBytes(Path.Combine(dir, "model.safetensors"), WithDataAt(File.ReadAllBytes(Path.Combine(TestFiles.TinyA, "model.safetensors")), 2));

        long before = GC.GetAllocatedBytesForCurrentThread();
        using var model = LlamaModel.Load(dir, new ReferenceKernels());
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        AssertSameWeights(TestData.Tiny.Weights, model.Weights);
        Assert.True(allocated >= MatrixBytes(model.Weights), $"{allocated} bytes allocated: the unaligned f32 matrices were not copied");
    }

    [Fact]
    public void A_model_written_in_shards_loads_back_bit_for_bit()
    {
        var config = ModelPresets.Config("kjv-brown-14m");
        var weights = ModelPresets.Build("kjv-brown-14m", DType.BF16, seed: 1, threads: 2);
        string dir = files.PathOf("sharded");

        HfCheckpointWriter.Write(dir, config, weights, shards: 3);

        Assert.Equal(
            ["config.json", "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors", "model.safetensors.index.json"],
            Directory.GetFiles(dir).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));
        using var model = LlamaModel.Load(dir, new ReferenceKernels());
        Assert.Equal(config.ShapeSummary(), model.Config.ShapeSummary());
        AssertSameWeights(weights, model.Weights);
    }

    private static long MatrixBytes(LlamaWeights w) =>
        w.Layers.Sum(l => l.Matrices.Sum(m => m.ByteSize)) + w.Embedding.ByteSize + w.LmHead.ByteSize;

    private static void AssertSameWeights(LlamaWeights expected, LlamaWeights actual)
    {
        static IEnumerable<(string, WeightMatrix)> Matrices(LlamaWeights w) =>
            w.Layers.SelectMany((l, i) => l.Matrices.Select((m, j) => ($"layer {i} matrix {j}", m)))
                .Append(("embedding", w.Embedding)).Append(("LM head", w.LmHead));
        foreach (var ((what, e), (_, a)) in Matrices(expected).Zip(Matrices(actual)))
            Assert.True(e.Type == a.Type && e.Bytes.SequenceEqual(a.Bytes), $"{what}: {a.Type} bits differ from {e.Type}");
        for (int i = 0; i < expected.Layers.Length; i++)
        {
            Assertions.BitwiseEqual(expected.Layers[i].AttentionNorm, actual.Layers[i].AttentionNorm, $"layer {i} attention norm");
            Assertions.BitwiseEqual(expected.Layers[i].MlpNorm, actual.Layers[i].MlpNorm, $"layer {i} MLP norm");
        }
        Assertions.BitwiseEqual(expected.FinalNorm, actual.FinalNorm, "final norm");
    }

    /// <summary>The file with its header padded so that the data block starts at a file offset ≡ remainder (mod 4).</summary>
    private static byte[] WithDataAt(byte[] file, int remainder)
    {
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        string json = Encoding.UTF8.GetString(file, 8, length).TrimEnd(' ');
        while ((8 + Encoding.UTF8.GetByteCount(json)) % 4 != remainder) json += " ";
        byte[] header = Encoding.UTF8.GetBytes(json);
        var result = new byte[8 + header.Length + file.Length - 8 - length];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)header.Length);
        header.CopyTo(result, 8);
        file.AsSpan(8 + length).CopyTo(result.AsSpan(8 + header.Length));
        return result;
    }
}
