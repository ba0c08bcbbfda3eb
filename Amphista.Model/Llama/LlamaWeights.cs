using Amphista.Model.Checkpoints;
using Amphista.Tensors;

namespace Amphista.Model.Llama;

/// <summary>
/// All parameters of a Llama model, read from a Hugging Face checkpoint by their HF names, or drawn
/// at random from a seed (for property tests and speed work on shapes that no file holds).
/// </summary>
public sealed record LlamaWeights(
    WeightMatrix Embedding,              // [V, D]   model.embed_tokens
    DecoderLayerWeights[] Layers,        // L        model.layers.{i}
    float[] FinalNorm,                   // [D]      model.norm
    WeightMatrix LmHead)                 // [V, D]   lm_head (the embedding when tied)
{
    /// <summary>
    /// The weights of checkpoint under config c's shapes; BF16 and F32 matrices lie in the mapped files
    /// when the checkpoint was opened in place (<see cref="Checkpoint.InPlace"/>), and then live as long as it.
    /// </summary>
    public static LlamaWeights Load(Checkpoint checkpoint, LlamaConfig c)
    {
        int d = c.HiddenSize;
        var embedding = checkpoint.ReadMatrix("model.embed_tokens.weight", c.VocabSize, d);
        var shape = new LayerShape(c.NumHeads, c.NumKvHeads, c.HeadDim, c.RmsNormEps);
        // Grown layer by layer: a config claiming more layers than the checkpoint holds fails at the
        // first missing one, having allocated nothing for the rest.
        var layers = new List<DecoderLayerWeights>();
        for (int i = 0; i < c.NumLayers; i++)
            layers.Add(DecoderLayerWeights.Read(checkpoint, $"model.layers.{i}.", d, c.IntermediateSize, shape));
        var finalNorm = checkpoint.ReadVector("model.norm.weight", d);
        var lmHead = c.TieWordEmbeddings && !checkpoint.Contains("lm_head.weight")
            ? embedding
            : checkpoint.ReadMatrix("lm_head.weight", c.VocabSize, d);
        return new LlamaWeights(embedding, [.. layers], finalNorm, lmHead);
    }

    /// <summary>Gaussian weights N(0, std) and norm gains near 1, reproducible from the seed.</summary>
    public static LlamaWeights Random(LlamaConfig c, int seed, DType type = DType.F32, float std = 0.08f) =>
        Random(c, new RandomWeights(seed, type), std);

    /// <summary>Weights drawn from rng in a fixed order (the embedding at twice std), norm gains from rng.Gains.</summary>
    public static LlamaWeights Random(LlamaConfig c, IRandomWeights rng, float std)
    {
        int d = c.HiddenSize, qw = c.NumHeads * c.HeadDim, kvw = c.NumKvHeads * c.HeadDim;
        var embedding = rng.Matrix(c.VocabSize, d, 2 * std);
        var layers = new DecoderLayerWeights[c.NumLayers];
        for (int i = 0; i < c.NumLayers; i++)
            layers[i] = new DecoderLayerWeights(
                rng.Gains(d), rng.Matrix(qw, d, std), rng.Matrix(kvw, d, std), rng.Matrix(kvw, d, std),
                rng.Matrix(d, qw, std), rng.Gains(d), rng.Matrix(c.IntermediateSize, d, std),
                rng.Matrix(c.IntermediateSize, d, std), rng.Matrix(d, c.IntermediateSize, std));
        var finalNorm = rng.Gains(d);
        var lmHead = c.TieWordEmbeddings ? embedding : rng.Matrix(c.VocabSize, d, 2 * std);
        return new LlamaWeights(embedding, layers, finalNorm, lmHead);
    }

    /// <summary>Bytes read from weights for one decode step (every matrix once; one embedding row).</summary>
    public long DecodeBytesPerToken =>
        Layers.Sum(l => l.Matrices.Sum(m => m.ByteSize)) + LmHead.ByteSize + Embedding.ByteSize / Embedding.Rows;
}
