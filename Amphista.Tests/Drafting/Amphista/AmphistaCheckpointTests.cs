using Amphista.Decoding.Drafting;
using Amphista.Decoding.Drafting.Amphista;
using Amphista.Model;
using Amphista.Model.Checkpoints;
using Amphista.Tensors;
using Amphista.Tests.Checkpoints;
using Amphista.Tests.Support;
using static Amphista.Tests.Drafting.Amphista.AmphistaFixtures;
using static Amphista.Tests.Drafting.Medusa.MedusaFixtures;

namespace Amphista.Tests.Drafting.Amphista;

/// <summary>
/// Amphista drafter directories (SPEC §4): amphista_config.json and amphista.safetensors round trip
/// bit for bit; missing fields and tensors are named; a drafter that does not fit the base model
/// is refused; DrafterSpec names random and saved Amphista drafters.
/// </summary>
public class AmphistaCheckpointTests
{
    private static AmphistaConfig TinyConfig(int heads = 3, int stages = 2, bool shared = true) =>
        AmphistaConfig.ForBaseModel(TestData.Tiny.Config, heads, stages, blockLayers: 2, shared) with { BaseModel = "hf-tiny-a" };

    [Theory]
    [InlineData(DType.F32, true)]
    [InlineData(DType.F32, false)]
    [InlineData(DType.BF16, true)]
    [InlineData(DType.BF16, false)]
    public void SaveLoadRoundTripsBitExactly(DType type, bool shared)
    {
        using var files = new TestFiles();
        var weights = AmphistaWeights.Random(TinyConfig(shared: shared) with { LossDecay = 0.7f, RmsNormEps = 3.3e-7f }, 11, type);

        weights.Save(files.Dir);

        AssertSameBits(weights, AmphistaWeights.Load(files.Dir));
    }

    [Fact]
    public void CheckpointHoldsTheDocumentedKeysAndShapes()
    {
        using var files = new TestFiles();
        AmphistaWeights.Random(TinyConfig(heads: 2, stages: 1, shared: false), 1).Save(files.Dir);
        using var file = Checkpoint.OpenFile(Path.Combine(files.Dir, AmphistaCheckpoint.WeightsFileName));
        string Shape(string key) => file.Info(key).ShapeText;

        Assert.Equal("[64, 128]", Shape("fusion.weight"));
        Assert.Equal("[64, 64]", Shape("stages.0.self_attn.q_proj.weight"));
        Assert.Equal("[32, 64]", Shape("stages.0.self_attn.k_proj.weight"));
        Assert.Equal("[172, 64]", Shape("stages.0.mlp.gate_proj.weight"));
        Assert.Equal("[64]", Shape("stages.0.post_attention_layernorm.weight"));
        Assert.Equal("[2, 64]", Shape("auto_embedding.head_embeddings"));
        Assert.Equal("[64, 172]", Shape("auto_embedding.layers.1.mlp.down_proj.weight"));
        Assert.Equal("[64, 64]", Shape("heads.1.linear.weight"));
        Assert.Equal("[64]", Shape("heads.1.linear.bias"));
        Assert.Equal("[64]", Shape("heads.1.norm.weight"));
        Assert.Equal("[512, 64]", Shape("heads.1.lm_head.weight"));
        Assert.Equal(1 + 9 + 1 + 2 * 9 + 2 * 4, file.Names.Count());
    }

    [Theory]
    [InlineData("stages", "2", "tensor 'stages.1.input_layernorm.weight' not found")]
    [InlineData("shared_lm_head", "false", "tensor 'heads.0.lm_head.weight' not found")]
    public void MissingTensorIsNamed(string field, string value, string message)
    {
        using var files = new TestFiles();
        AmphistaWeights.Random(TinyConfig(heads: 2, stages: 1), 1).Save(files.Dir);
        EditConfig(files.Dir, text => text.Replace(FieldLine(text, field), $"\"{field}\": {value},"));

        var e = Assert.Throws<CheckpointException>(() => AmphistaWeights.Load(files.Dir));

        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("heads")]
    [InlineData("stages")]
    [InlineData("block_layers")]
    [InlineData("hidden_size")]
    [InlineData("intermediate_size")]
    [InlineData("head_dim")]
    [InlineData("rms_norm_eps")]
    [InlineData("rope_theta")]
    public void MissingConfigFieldIsNamed(string field)
    {
        using var files = new TestFiles();
        AmphistaWeights.Random(TinyConfig(), 1).Save(files.Dir);
        EditConfig(files.Dir, text => text.Replace(FieldLine(text, field), ""));

        var e = Assert.Throws<ConfigException>(() => AmphistaWeights.Load(files.Dir));

        Assert.Equal($"{Path.Combine(files.Dir, AmphistaConfig.FileName)}: required field '{field}' is missing", e.Message);
    }

    [Fact]
    public void OptionalFieldsTakeTheirDefaults()
    {
        string json = """
            {"heads": 4, "stages": 2, "block_layers": 1, "hidden_size": 8, "vocab_size": 20, "intermediate_size": 16,
             "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 4, "max_position_embeddings": 64,
             "rms_norm_eps": 1e-6, "rope_theta": 10000}
            """;

        var config = AmphistaConfig.Parse(json, AmphistaConfig.FileName);

        Assert.Equal(new AmphistaConfig(4, 2, 1, 8, 20, 16, 2, 1, 4, 64, 1e-6f, 10000), config);
        Assert.True(config.SharedLmHead);
        Assert.Equal(0.8f, config.LossDecay);
    }

    [Theory]
    [InlineData(32, 512, 256, "hidden size 32 / vocab 512 / 256 positions")]
    [InlineData(64, 500, 256, "hidden size 64 / vocab 500 / 256 positions")]
    [InlineData(64, 512, 255, "hidden size 64 / vocab 512 / 255 positions")]
    public void MismatchedBaseModelIsRefused(int hidden, int vocab, int positions, string madeFor)
    {
        var config = TinyConfig() with { HiddenSize = hidden, VocabSize = vocab, MaxPositions = positions };
        var drafter = new AmphistaDrafter(AmphistaWeights.Random(config, 1));

        var e = Assert.Throws<AmphistaException>(() => drafter.Begin(TestData.Tiny));

        Assert.Equal($"Amphista drafter was made for {madeFor}, but the model has hidden size 64 / vocab 512 / 256 positions", e.Message);
    }

    [Fact]
    public void DrafterSpecMakesRandomAndLoadsSavedAmphistaDrafters()
    {
        var model = TestData.Tiny.Config;
        var random = Assert.IsType<AmphistaDrafter>(DrafterSpec.Create("amphista:random:5", model, heads: 3));
        var oneHead = Assert.IsType<AmphistaDrafter>(DrafterSpec.Create("amphista:random", model, heads: 1));
        Assert.Equal(AmphistaConfig.ForBaseModel(model, heads: 3, stages: 2, blockLayers: 1), random.Weights.Config);
        Assert.Equal((1, 1), (oneHead.Weights.Config.Heads, oneHead.Weights.Config.Stages));
        AssertSameBits(AmphistaWeights.Random(random.Weights.Config, 5), random.Weights);

        using var files = new TestFiles();
        random.Weights.Save(files.Dir);
        AssertSameBits(random.Weights, Assert.IsType<AmphistaDrafter>(DrafterSpec.Create(files.Dir, model, heads: 3)).Weights);

        var e = Assert.Throws<InputException>(() => DrafterSpec.Create("amphista:fixed", model, heads: 3));
        Assert.Contains("amphista:random[:SEED]", e.Message);
    }

    private static void EditConfig(string dir, Func<string, string> edit)
    {
        string path = Path.Combine(dir, AmphistaConfig.FileName);
        File.WriteAllText(path, edit(File.ReadAllText(path)));
    }

    private static string FieldLine(string json, string field) =>
        json.Split('\n').Single(line => line.TrimStart().StartsWith($"\"{field}\":")).TrimEnd('\r') + "\n";
}
