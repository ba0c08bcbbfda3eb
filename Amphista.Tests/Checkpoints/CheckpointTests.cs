using System.Runtime.InteropServices;
using System.Text.Json;
using Amphista.Model;
using Amphista.Model.Checkpoints;
using Amphista.Tensors;

namespace Amphista.Tests.Checkpoints;

/// <summary>
/// Loading real Hugging Face checkpoints (the sharded bf16 demo model and the single-file f32
/// hf-tiny-a fixture) and the errors for broken directories.
/// </summary>
public sealed class CheckpointTests : IDisposable
{
    private readonly TestFiles files = new();

    public void Dispose() => files.Dispose();

    /// <summary>The shape every Llama tensor name must have under this config.</summary>
    private static long[] ExpectedShape(string name, LlamaConfig c)
    {
        long d = c.HiddenSize, q = c.NumHeads * c.HeadDim, kv = c.NumKvHeads * c.HeadDim, f = c.IntermediateSize;
        string suffix = name.StartsWith("model.layers.") ? name[(name.IndexOf('.', 13) + 1)..] : name;
        return suffix switch
        {
            "model.embed_tokens.weight" or "lm_head.weight" => [c.VocabSize, d],
            "model.norm.weight" or "input_layernorm.weight" or "post_attention_layernorm.weight" => [d],
            "self_attn.q_proj.weight" => [q, d],
            "self_attn.k_proj.weight" or "self_attn.v_proj.weight" => [kv, d],
            "self_attn.o_proj.weight" => [d, q],
            "mlp.gate_proj.weight" or "mlp.up_proj.weight" => [f, d],
            "mlp.down_proj.weight" => [d, f],
            _ => throw new InvalidOperationException($"unexpected tensor {name}"),
        };
    }

    [Fact]
    public void The_sharded_demo_model_loads_every_indexed_tensor_with_config_shapes_in_bf16()
    {
        var config = LlamaConfig.Load(TestFiles.Demo);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestFiles.Demo, Checkpoint.IndexFileName)));
        var indexed = doc.RootElement.GetProperty("weight_map").EnumerateObject().Select(p => p.Name).ToList();

        using var ckpt = Checkpoint.Open(TestFiles.Demo);

        Assert.Equal(2 + 9 * config.NumLayers + 1, indexed.Count);
        Assert.Equal(indexed.Order(), ckpt.Names.Order());
        foreach (string name in indexed)
        {
            var info = ckpt.Info(name);
            Assert.Equal(DType.BF16, info.Type);
            Assert.Equal(ExpectedShape(name, config), info.Shape);
        }
    }

    [Fact]
    public void Demo_bf16_matrices_stay_bf16_and_vectors_widen_exactly()
    {
        using var ckpt = Checkpoint.Open(TestFiles.Demo);
        var embed = ckpt.ReadMatrix("model.embed_tokens.weight", 4096, 384);
        Assert.Equal(DType.BF16, embed.Type);

        float[] norm = ckpt.ReadVector("model.norm.weight", 384);
        // Bits read with Python's struct module from model-00003-of-00003.safetensors.
        Assert.Equal(DTypes.BF16ToSingle(16298), norm[0]);
        Assert.Equal(DTypes.BF16ToSingle(16301), norm[1]);
        Assert.Equal(DTypes.BF16ToSingle(16297), norm[2]);
    }

    [Fact]
    public void The_f32_fixture_loads_from_a_single_file_with_exact_values()
    {
        var config = LlamaConfig.Load(TestFiles.TinyA);
        using var ckpt = Checkpoint.Open(TestFiles.TinyA);

        Assert.Equal(2 + 9 * config.NumLayers + 1, ckpt.Names.Count());
        foreach (string name in ckpt.Names)
        {
            Assert.Equal(DType.F32, ckpt.Info(name).Type);
            Assert.Equal(ExpectedShape(name, config), ckpt.Info(name).Shape);
        }
        Assert.Equal([1.0988985300064087f, 1.1225870847702026f, 1.075919508934021f],
            ckpt.ReadVector("model.norm.weight", 64)[..3]);
        var k = ckpt.ReadMatrix("model.layers.1.self_attn.k_proj.weight", 32, 64);
        Assert.Equal(DType.F32, k.Type);
        Assert.Equal(0.01128570456057787f, k[0, 0]);
        Assert.Equal(-0.10230191051959991f, k[0, 1]);
    }

    /// <summary>A Hugging Face cache snapshot is a folder of symbolic links: their targets are read.</summary>
    [Fact]
    public void A_directory_of_symbolic_links_loads_as_its_targets()
    {
        foreach (string file in Directory.GetFiles(TestFiles.Demo))
            File.CreateSymbolicLink(files.PathOf(Path.GetFileName(file)), file);
        using var linked = Checkpoint.Open(files.Dir);
        using var real = Checkpoint.Open(TestFiles.Demo);
        Assert.Equal(real.Names.Order(), linked.Names.Order());
        Assert.Equal(real.ReadVector("model.norm.weight", 384), linked.ReadVector("model.norm.weight", 384));
        Assert.True(real.ReadMatrix("model.embed_tokens.weight", 4096, 384).BF16.SequenceEqual(
            linked.ReadMatrix("model.embed_tokens.weight", 4096, 384).BF16), "embeddings differ through the links");
    }

    [Fact]
    public void Int64_reference_tokens_are_read_from_a_single_file()
    {
        using var refs = Checkpoint.OpenFile(Path.Combine(TestFiles.Demo, "reference_greedy.safetensors"));
        Assert.Equal([1L, 350, 462, 271, 262], refs.ReadI64("p0_tokens")[..5]);
    }

    [Fact]
    public void F16_matrices_are_widened_to_f32_at_load()
    {
        string path = files.PathOf("half.safetensors");
        Half[] values = [(Half)1.5f, (Half)(-0.25f), (Half)2f, (Half)0f];
        SafeTensorsWriter.Write(path, [("w", DType.F16, [2, 2], MemoryMarshal.AsBytes(values.AsSpan()).ToArray())]);
        using var ckpt = Checkpoint.OpenFile(path);
        var m = ckpt.ReadMatrix("w", 2, 2);
        Assert.Equal(DType.F32, m.Type);
        Assert.Equal([1.5f, -0.25f, 2f, 0f], m.F32!);
    }

    [Fact]
    public void A_missing_tensor_is_reported_with_the_checkpoint_location()
    {
        using var ckpt = Checkpoint.Open(TestFiles.TinyA);
        var e = Assert.Throws<CheckpointException>(() => ckpt.Info("model.layers.9.mlp.up_proj.weight"));
        Assert.Equal($"tensor 'model.layers.9.mlp.up_proj.weight' not found in {TestFiles.TinyA}", e.Message);
        Assert.False(ckpt.Contains("model.layers.9.mlp.up_proj.weight"));
        Assert.True(ckpt.Contains("lm_head.weight"));
    }

    [Fact]
    public void A_shape_mismatch_names_the_tensor_and_both_shapes()
    {
        using var ckpt = Checkpoint.Open(TestFiles.TinyA);
        var e = Assert.Throws<CheckpointException>(() => ckpt.ReadMatrix("lm_head.weight", 64, 512));
        Assert.Contains("'lm_head.weight'", e.Message);
        Assert.Contains("has shape [512, 64], expected [64, 512]", e.Message);
        e = Assert.Throws<CheckpointException>(() => ckpt.ReadVector("model.norm.weight", 65));
        Assert.Contains("has shape [64], expected [65]", e.Message);
    }

    [Fact]
    public void Reading_a_tensor_as_the_wrong_kind_of_type_is_refused()
    {
        using var ckpt = Checkpoint.Open(TestFiles.TinyA);
        var e = Assert.Throws<CheckpointException>(() => ckpt.ReadI64("model.norm.weight"));
        Assert.Contains("'model.norm.weight' is F32, expected I64", e.Message);
    }

    private string CopyDemoExcept(params string[] skipped)
    {
        string dir = files.PathOf("demo");
        Directory.CreateDirectory(dir);
        foreach (string f in Directory.GetFiles(TestFiles.Demo, "*.safetensors*"))
            if (!skipped.Contains(Path.GetFileName(f)))
                File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        return dir;
    }

    [Fact]
    public void A_missing_shard_is_named_in_the_error()
    {
        string dir = CopyDemoExcept("model-00002-of-00003.safetensors");
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Open(dir).Dispose());
        Assert.Contains("shard file 'model-00002-of-00003.safetensors'", e.Message);
        Assert.Contains("not found", e.Message);
    }

    [Fact]
    public void An_index_entry_absent_from_its_shard_is_named_in_the_error()
    {
        string dir = CopyDemoExcept(Checkpoint.IndexFileName);
        File.WriteAllText(Path.Combine(dir, Checkpoint.IndexFileName),
            """{"metadata": {}, "weight_map": {"model.norm.weight": "model-00003-of-00003.safetensors", "ghost.weight": "model-00001-of-00003.safetensors"}}""");
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Open(dir).Dispose());
        Assert.Contains("tensor 'ghost.weight' is mapped to 'model-00001-of-00003.safetensors'", e.Message);
    }

    [Fact]
    public void An_index_without_a_weight_map_is_rejected()
    {
        string dir = CopyDemoExcept(Checkpoint.IndexFileName);
        File.WriteAllText(Path.Combine(dir, Checkpoint.IndexFileName), """{"metadata": {}}""");
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Open(dir).Dispose());
        Assert.Contains("'weight_map'", e.Message);
        Assert.Contains(Checkpoint.IndexFileName, e.Message);
    }

    [Fact]
    public void A_directory_with_no_weights_lists_what_was_looked_for()
    {
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Open(files.Dir).Dispose());
        Assert.Contains(files.Dir, e.Message);
        Assert.Contains(Checkpoint.IndexFileName, e.Message);
        Assert.Contains(Checkpoint.SingleFileName, e.Message);
    }

    [Fact]
    public void A_missing_directory_is_reported()
    {
        string dir = files.PathOf("nowhere");
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Open(dir).Dispose());
        Assert.Contains(dir, e.Message);
        Assert.Contains("not found", e.Message);
    }
}
