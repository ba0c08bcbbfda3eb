using System.Runtime.InteropServices;
using Amphista.Model.Checkpoints;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Decoding.Drafting.Amphista;

/// <summary>
/// The Amphista checkpoint format (SPEC §4): amphista_config.json plus amphista.safetensors, with
/// Hugging Face style names; decoder layers use the names of a Llama layer's submodules.
/// Matrices are written as stored (F32 or BF16); vectors and P as F32, which they were widened to
/// losslessly on load, so a round trip is bit-exact.
/// </summary>
public static class AmphistaCheckpoint
{
    public const string WeightsFileName = "amphista.safetensors";
    public const string FusionKey = "fusion.weight";                          // [D, 2D]
    public const string HeadEmbeddingsKey = "auto_embedding.head_embeddings"; // [K, D]

    public static string StagePrefix(int stage) => $"stages.{stage}.";

    public static string BlockLayerPrefix(int layer) => $"auto_embedding.layers.{layer}.";

    public static string HeadPrefix(int head) => $"heads.{head}.";

    public static AmphistaWeights Read(string directory)
    {
        if (!Directory.Exists(directory))
            throw new CheckpointException($"{directory}: Amphista drafter directory not found");
        var c = AmphistaConfig.Load(directory);
        using var file = Checkpoint.OpenFile(Path.Combine(directory, WeightsFileName));
        int d = c.HiddenSize;
        var fusion = file.ReadMatrix(FusionKey, d, 2 * d);
        var stages = ReadEach(c.Stages, s => ReadLayer(file, c, StagePrefix(s)));
        var headEmbeddings = new Tensor(c.Heads, d, file.ReadF32(HeadEmbeddingsKey, c.Heads, d));   // [K, D]
        var blockLayers = ReadEach(c.BlockLayers, b => ReadLayer(file, c, BlockLayerPrefix(b)));
        var heads = ReadEach(c.Heads, k => ReadHead(file, c, HeadPrefix(k)));
        return new AmphistaWeights(c, fusion, stages, new AutoEmbeddingWeights(headEmbeddings, blockLayers), heads);
    }

    public static void Write(AmphistaWeights weights, string directory)
    {
        Directory.CreateDirectory(directory);
        weights.Config.Save(directory);
        SafeTensorsWriter.Write(Path.Combine(directory, WeightsFileName), Tensors(weights));
    }

    /// <summary>
    /// read(0..count-1) in a list grown as it goes (ToArray over a range would allocate count slots
    /// first): a config claiming more than the file holds fails at the first missing tensor.
    /// </summary>
    private static T[] ReadEach<T>(int count, Func<int, T> read)
    {
        var items = new List<T>();
        for (int i = 0; i < count; i++) items.Add(read(i));
        return [.. items];
    }

    private static DecoderLayerWeights ReadLayer(Checkpoint file, AmphistaConfig c, string prefix) =>
        DecoderLayerWeights.Read(file, prefix, c.HiddenSize, c.AdaptationIntermediateSize, c.Shape);

    private static DraftingHeadWeights ReadHead(Checkpoint file, AmphistaConfig c, string p)
    {
        int d = c.HiddenSize;
        return new DraftingHeadWeights(
            file.ReadMatrix(p + "linear.weight", d, d),
            file.ReadVector(p + "linear.bias", d),
            file.ReadVector(p + "norm.weight", d),
            c.SharedLmHead ? null : file.ReadMatrix(p + "lm_head.weight", c.VocabSize, d));
    }

    private static IEnumerable<(string Name, DType Type, long[] Shape, byte[] Data)> Tensors(AmphistaWeights w)
    {
        yield return Matrix(FusionKey, w.Fusion);
        for (int s = 0; s < w.Stages.Length; s++)
            foreach (var t in Layer(StagePrefix(s), w.Stages[s])) yield return t;
        var p = w.AutoEmbedding.HeadEmbeddings;
        yield return Vector(HeadEmbeddingsKey, [p.Rows, p.Cols], p.Data);
        for (int b = 0; b < w.AutoEmbedding.Layers.Length; b++)
            foreach (var t in Layer(BlockLayerPrefix(b), w.AutoEmbedding.Layers[b])) yield return t;
        for (int k = 0; k < w.Heads.Length; k++)
        {
            var head = w.Heads[k];
            yield return Matrix(HeadPrefix(k) + "linear.weight", head.Linear);
            yield return Vector(HeadPrefix(k) + "linear.bias", [head.Bias.Length], head.Bias);
            yield return Vector(HeadPrefix(k) + "norm.weight", [head.Norm.Length], head.Norm);
            if (head.LmHead is { } lmHead) yield return Matrix(HeadPrefix(k) + "lm_head.weight", lmHead);
        }
    }

    private static IEnumerable<(string, DType, long[], byte[])> Layer(string p, DecoderLayerWeights l) =>
        l.Named(p).Select(t => t.Vector is { } v ? Vector(t.Name, [v.Length], v) : Matrix(t.Name, t.Matrix!));

    private static (string, DType, long[], byte[]) Vector(string name, long[] shape, float[] data) =>
        (name, DType.F32, shape, MemoryMarshal.AsBytes(data.AsSpan()).ToArray());

    private static (string, DType, long[], byte[]) Matrix(string name, WeightMatrix w) => (
        name,
        w.Type,
        [w.Rows, w.Cols],
        w.Bytes.ToArray());
}
