using System.Runtime.InteropServices;
using Amphista.Model.Checkpoints;
using Amphista.Tensors;

namespace Amphista.Decoding.Drafting.Medusa;

/// <summary>
/// All parameters of a Medusa drafter under the official head-only key names (SPEC §3b,
/// "Medusa heads"): per head k and block l, W [D, D] "{k}.{l}.linear.weight" and b [D] "{k}.{l}.linear.bias";
/// per head, unless shared, its LM head [V, D] "{k}.{L}.weight". Matrices stay F32 or BF16 as stored.
/// </summary>
public sealed record MedusaWeights(MedusaConfig Config, MedusaHead[] Heads)
{
    public const string WeightsFileName = "medusa_lm_head.safetensors";

    /// <summary>
    /// Loads config.json and the weights from a drafter directory: medusa_lm_head.safetensors if
    /// present, otherwise the first *.safetensors file in ordinal name order. Only safetensors are
    /// read; the PyTorch pickles (.pt, .bin) that official repos also ship are refused by name.
    /// </summary>
    public static MedusaWeights Load(string directory)
    {
        if (!Directory.Exists(directory))
            throw new CheckpointException($"{directory}: Medusa drafter directory not found");
        using var checkpoint = Checkpoint.OpenFile(FindWeightsFile(directory));
        var config = MedusaConfig.Load(directory, checkpoint);
        // Lists grown as heads and blocks are read: a config claiming more than the file holds fails
        // at the first missing tensor, having allocated nothing for the rest.
        var heads = new List<MedusaHead>();
        for (int k = 0; k < config.Heads; k++) heads.Add(ReadHead(checkpoint, config, k));
        return new MedusaWeights(config, [.. heads]);
    }

    /// <summary>Every matrix stored as type (biases unchanged): shipped in the base model's type, as Medusa's heads are.</summary>
    public MedusaWeights StoredAs(DType type) => this with
    {
        Heads = [.. Heads.Select(h => h with
        {
            Blocks = [.. h.Blocks.Select(b => b with { Weight = b.Weight.As(type) })],
            LmHead = h.LmHead?.As(type),
        })],
    };

    /// <summary>Writes config.json and medusa_lm_head.safetensors; Load gives back the same bits.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        Config.Save(directory);
        SafeTensorsWriter.Write(Path.Combine(directory, WeightsFileName), Tensors());
    }

    /// <summary>
    /// Seeded weights: W ~ N(0, 0.02), b = 0, own LM heads (if the config asks for them) ~ N(0, 0.02).
    /// Medusa starts W at zero, but its heads are then trained; an untrained zero-W head computes
    /// W_lm (h_t + SiLU(0)), which with a shared LM head is just the base model's own next-token
    /// guess for every head. Drawing W keeps the heads distinct, so tests and timing runs exercise
    /// a tree whose levels really differ.
    /// </summary>
    public static MedusaWeights Random(MedusaConfig c, int seed, DType type = DType.F32)
    {
        const float std = 0.02f;
        c.Validate();
        var rng = new RandomWeights(seed, type);
        var heads = new MedusaHead[c.Heads];
        for (int k = 0; k < c.Heads; k++)
        {
            var blocks = new ResBlock[c.Layers];
            for (int l = 0; l < c.Layers; l++)
                blocks[l] = new ResBlock(rng.Matrix(c.HiddenSize, c.HiddenSize, std), new float[c.HiddenSize]);
            heads[k] = new MedusaHead(blocks, c.SharedLmHead ? null : rng.Matrix(c.VocabSize, c.HiddenSize, std));
        }
        return new MedusaWeights(c, heads);
    }

    private static string FindWeightsFile(string directory)
    {
        string preferred = Path.Combine(directory, WeightsFileName);
        if (File.Exists(preferred)) return preferred;
        string? first = Directory.GetFiles(directory, "*.safetensors").Order(StringComparer.Ordinal).FirstOrDefault();
        if (first is not null) return first;
        string[] pickles = [.. Directory.GetFiles(directory, "*.pt"), .. Directory.GetFiles(directory, "*.bin")];
        if (pickles.Length > 0)
            throw new CheckpointException(
                $"{directory}: only PyTorch pickle weights found ({string.Join(", ", pickles.Select(Path.GetFileName))}); " +
                $"only safetensors are supported: convert with safetensors.torch.save_file(torch.load(path), '{WeightsFileName}')");
        throw new CheckpointException($"{directory}: no Medusa weights found (looked for {WeightsFileName} and any *.safetensors)");
    }

    private static MedusaHead ReadHead(Checkpoint checkpoint, MedusaConfig c, int k)
    {
        int d = c.HiddenSize;
        var blocks = new List<ResBlock>();
        for (int l = 0; l < c.Layers; l++)
            blocks.Add(new ResBlock(
                checkpoint.ReadMatrix(MedusaConfig.BlockWeightKey(k, l), d, d),
                checkpoint.ReadVector(MedusaConfig.BlockBiasKey(k, l), d)));
        var lmHead = c.SharedLmHead ? null : checkpoint.ReadMatrix(MedusaConfig.LmHeadKey(k, c.Layers), c.VocabSize, d);
        return new MedusaHead([.. blocks], lmHead);
    }

    // Biases are written as F32 whatever they were read from: widening made them F32 losslessly.
    private IEnumerable<(string Name, DType Type, long[] Shape, byte[] Data)> Tensors()
    {
        for (int k = 0; k < Heads.Length; k++)
        {
            for (int l = 0; l < Config.Layers; l++)
            {
                var block = Heads[k].Blocks[l];
                yield return Matrix(MedusaConfig.BlockWeightKey(k, l), block.Weight);
                yield return (MedusaConfig.BlockBiasKey(k, l), DType.F32, [block.Bias.Length],
                    MemoryMarshal.AsBytes(block.Bias.AsSpan()).ToArray());
            }
            if (Heads[k].LmHead is { } lmHead) yield return Matrix(MedusaConfig.LmHeadKey(k, Config.Layers), lmHead);
        }
    }

    private static (string, DType, long[], byte[]) Matrix(string name, WeightMatrix w) => (
        name,
        w.Type,
        [w.Rows, w.Cols],
        w.Bytes.ToArray());
}
