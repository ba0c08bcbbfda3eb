using System.Runtime.InteropServices;
using Amphista.Decoding.Drafting.Medusa;
using Amphista.Model;
using Amphista.Model.Checkpoints;
using Amphista.Tensors;
using Amphista.Tests.Checkpoints;
using static Amphista.Tests.Drafting.Medusa.MedusaFixtures;

namespace Amphista.Tests.Drafting.Medusa;

/// <summary>
/// Medusa drafter directories (SPEC §3b, "Medusa heads"): our own Save/Load, and head-only checkpoints
/// as the official repos lay them out, with config.json holding only the Medusa fields.
/// </summary>
public class MedusaWeightsTests
{
    private const string OfficialConfig =
        """{"base_model_name_or_path": "lmsys/vicuna-7b-v1.3", "medusa_num_heads": 2, "medusa_num_layers": 1, "transformers_version": "4.31.0"}""";

    [Theory]
    [InlineData(DType.F32, true)]
    [InlineData(DType.F32, false)]
    [InlineData(DType.BF16, true)]
    [InlineData(DType.BF16, false)]
    public void SaveLoadRoundTripsBitExactly(DType type, bool shared)
    {
        using var files = new TestFiles();
        var config = new MedusaConfig(3, 2, 12, 20, shared, "some/base-model");
        var weights = MedusaWeights.Random(config, seed: 11, type);
        string dir = files.PathOf("drafter");

        weights.Save(dir);

        AssertBitEqual(weights, MedusaWeights.Load(dir));
    }

    [Fact]
    public void LoadsOfficialKeysAndInfersSizesFromTheWeights()
    {
        using var files = new TestFiles();
        var expected = MedusaWeights.Random(new MedusaConfig(2, 1, 8, 30, SharedLmHead: false, "lmsys/vicuna-7b-v1.3"), 3, DType.BF16);
        WriteOfficial(files.Dir, expected, OfficialConfig);

        var loaded = MedusaWeights.Load(files.Dir);

        Assert.Equal(new MedusaConfig(2, 1, 8, 30, SharedLmHead: false, "lmsys/vicuna-7b-v1.3"), loaded.Config);
        AssertBitEqual(expected, loaded);
    }

    [Fact]
    public void HeadsWithoutLmHeadsShareTheBaseOne()
    {
        using var files = new TestFiles();
        var expected = MedusaWeights.Random(new MedusaConfig(2, 1, 8, 30, SharedLmHead: true), 3);
        WriteOfficial(files.Dir, expected, """{"medusa_num_heads": 2, "medusa_num_layers": 1, "vocab_size": 30, "version": "2"}""");

        var loaded = MedusaWeights.Load(files.Dir);

        Assert.True(loaded.Config.SharedLmHead);
        AssertBitEqual(expected, loaded);
    }

    [Fact]
    public void SharedHeadsNeedVocabSizeInTheConfig()
    {
        using var files = new TestFiles();
        WriteOfficial(files.Dir, MedusaWeights.Random(new MedusaConfig(1, 1, 8, 30), 3),
            """{"medusa_num_heads": 1, "medusa_num_layers": 1}""");

        var e = Assert.Throws<ConfigException>(() => MedusaWeights.Load(files.Dir));

        Assert.Contains("'vocab_size' is missing", e.Message);
    }

    [Fact]
    public void FallsBackToTheFirstSafetensorsFile()
    {
        using var files = new TestFiles();
        var weights = MedusaWeights.Random(new MedusaConfig(1, 1, 4, 6), 2);
        weights.Save(files.Dir);
        File.Move(Path.Combine(files.Dir, MedusaWeights.WeightsFileName), Path.Combine(files.Dir, "heads.safetensors"));

        AssertBitEqual(weights, MedusaWeights.Load(files.Dir));
    }

    [Fact]
    public void MissingTensorIsNamed()
    {
        using var files = new TestFiles();
        var oneHead = MedusaWeights.Random(new MedusaConfig(1, 1, 4, 6, SharedLmHead: false), 2);
        WriteOfficial(files.Dir, oneHead, OfficialConfig);

        var e = Assert.Throws<CheckpointException>(() => MedusaWeights.Load(files.Dir));

        Assert.Contains("tensor '1.0.linear.weight' not found", e.Message);
    }

    [Fact]
    public void MissingOwnLmHeadIsNamed()
    {
        using var files = new TestFiles();
        WriteOfficial(files.Dir, MedusaWeights.Random(new MedusaConfig(1, 1, 4, 6), 2),
            """{"medusa_num_heads": 1, "medusa_num_layers": 1, "vocab_size": 6, "shared_lm_head": false}""");

        var e = Assert.Throws<CheckpointException>(() => MedusaWeights.Load(files.Dir));

        Assert.Contains("tensor '0.1.weight' not found", e.Message);
    }

    [Fact]
    public void PickleOnlyDirectoryIsRefusedClearly()
    {
        using var files = new TestFiles();
        File.WriteAllText(Path.Combine(files.Dir, MedusaConfig.FileName), OfficialConfig);
        files.WriteBytes("medusa_lm_head.pt", [0x80, 0x02]);

        var e = Assert.Throws<CheckpointException>(() => MedusaWeights.Load(files.Dir));

        Assert.Contains("medusa_lm_head.pt", e.Message);
        Assert.Contains("only safetensors are supported", e.Message);
    }

    [Theory]
    [InlineData("""{"medusa_num_layers": 1, "hidden_size": 4, "vocab_size": 6}""", "required field 'medusa_num_heads' is missing")]
    [InlineData("""{"medusa_num_heads": 1, "hidden_size": 4, "vocab_size": 6}""", "required field 'medusa_num_layers' is missing")]
    [InlineData("""{"medusa_num_heads": 0, "medusa_num_layers": 1, "hidden_size": 4, "vocab_size": 6, "shared_lm_head": true}""", "medusa_num_heads must be positive")]
    [InlineData("""{"medusa_num_heads": 1, "medusa_num_layers": 1, "vocab_size": 6, "shared_lm_head": true}""", "'hidden_size' is missing")]
    [InlineData("""{"medusa_num_heads": "5", "medusa_num_layers": 1}""", "'medusa_num_heads' must be an integer")]
    public void BadConfigIsRefused(string json, string message)
    {
        var e = Assert.Throws<ConfigException>(() => MedusaConfig.Parse(json, "config.json", weights: null));

        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void RandomIsReproducibleFromTheSeed()
    {
        var config = new MedusaConfig(2, 1, 8, 12, SharedLmHead: false);

        AssertBitEqual(MedusaWeights.Random(config, 4), MedusaWeights.Random(config, 4));
        var (a, b) = (MedusaWeights.Random(config, 4), MedusaWeights.Random(config, 5));
        Assert.False(BitEqual(a.Heads[0].Blocks[0].Weight, b.Heads[0].Blocks[0].Weight));
        Assert.False(BitEqual(a.Heads[1].LmHead!, b.Heads[1].LmHead!));
        Assert.All(a.Heads, head => Assert.All(head.Blocks, block => Assert.All(block.Bias, x => Assert.Equal(0f, x))));
    }

    /// <summary>Writes weights under the official names and layout, with a config.json as given.</summary>
    private static void WriteOfficial(string dir, MedusaWeights weights, string configJson)
    {
        File.WriteAllText(Path.Combine(dir, MedusaConfig.FileName), configJson);
        var tensors = new List<(string, DType, long[], byte[])>();
        for (int k = 0; k < weights.Heads.Length; k++)
        {
            var head = weights.Heads[k];
            var block = head.Blocks[0];
            tensors.Add(Matrix($"{k}.0.linear.weight", block.Weight));
            tensors.Add(($"{k}.0.linear.bias", DType.F32, [block.Bias.Length], MemoryMarshal.AsBytes(block.Bias.AsSpan()).ToArray()));
            if (head.LmHead is not null) tensors.Add(Matrix($"{k}.1.weight", head.LmHead));
        }
        SafeTensorsWriter.Write(Path.Combine(dir, "medusa_lm_head.safetensors"), tensors);
    }

    private static (string, DType, long[], byte[]) Matrix(string name, WeightMatrix w) => (name, w.Type, [w.Rows, w.Cols], w.Bytes.ToArray());
}
