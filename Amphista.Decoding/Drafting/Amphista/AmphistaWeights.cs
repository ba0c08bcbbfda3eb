using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Decoding.Drafting.Amphista;

/// <summary>
/// All parameters of an Amphista drafter (SPEC §4), under the checkpoint names of
/// <see cref="AmphistaCheckpoint"/>. The base model's embedding E and, when shared, its LM head are
/// not here: they are read from the base model, frozen. Matrices stay F32 or BF16 as stored.
/// </summary>
public sealed record AmphistaWeights(
    AmphistaConfig Config,
    WeightMatrix Fusion,                  // [D, 2D]   fusion.weight
    DecoderLayerWeights[] Stages,         // S         stages.{s}.*
    AutoEmbeddingWeights AutoEmbedding,   //           auto_embedding.*
    DraftingHeadWeights[] Heads)          // K         heads.{k}.*
{
    /// <summary>HF's initializer_range: small enough that the stages and block start near identity.</summary>
    private const float Std = 0.02f;

    /// <summary>Reads amphista_config.json and amphista.safetensors from a drafter directory.</summary>
    public static AmphistaWeights Load(string directory) => AmphistaCheckpoint.Read(directory);

    /// <summary>Writes amphista_config.json and amphista.safetensors; Load gives back the same bits.</summary>
    public void Save(string directory) => AmphistaCheckpoint.Write(this, directory);

    /// <summary>
    /// Every matrix stored as type, vectors and P unchanged: a drafter trained in float32 is shipped
    /// in its base model's type, as Medusa's heads are, so drafting reads half the bytes.
    /// </summary>
    public AmphistaWeights StoredAs(DType type) => this with
    {
        Fusion = Fusion.As(type),
        Stages = [.. Stages.Select(l => l.As(type))],
        AutoEmbedding = AutoEmbedding with { Layers = [.. AutoEmbedding.Layers.Select(l => l.As(type))] },
        Heads = [.. Heads.Select(h => h with { Linear = h.Linear.As(type), LmHead = h.LmHead?.As(type) })],
    };

    /// <summary>
    /// Seeded weights for audits and tests. W_fuse ~ N(0, 1/√(2D)) keeps f at the scale of the normed
    /// hidden state it reads; every other matrix, P and the own LM heads ~ N(0, 0.02); biases 0;
    /// norm gains 1. The layers then start close to identity (residual updates are small), so a
    /// random drafter's logits stay at the scale of the base model's and no activation blows up.
    /// </summary>
    public static AmphistaWeights Random(AmphistaConfig c, int seed, DType type = DType.F32)
    {
        c.Validate();
        var rng = new RandomWeights(seed, type);
        int d = c.HiddenSize;
        var fusion = rng.Matrix(d, 2 * d, 1 / MathF.Sqrt(2 * d));
        var stages = Enumerable.Range(0, c.Stages).Select(_ => RandomLayer(rng, c)).ToArray();
        var headEmbeddings = new Tensor(c.Heads, d, rng.Vector(c.Heads * d, Std));          // [K, D]
        var block = new AutoEmbeddingWeights(headEmbeddings,
            Enumerable.Range(0, c.BlockLayers).Select(_ => RandomLayer(rng, c)).ToArray());
        var heads = Enumerable.Range(0, c.Heads).Select(_ => new DraftingHeadWeights(
            rng.Matrix(d, d, Std), new float[d], Ones(d),
            c.SharedLmHead ? null : rng.Matrix(c.VocabSize, d, Std))).ToArray();
        return new AmphistaWeights(c, fusion, stages, block, heads);
    }

    private static DecoderLayerWeights RandomLayer(RandomWeights rng, AmphistaConfig c)
    {
        int d = c.HiddenSize, f = c.AdaptationIntermediateSize, qw = c.Shape.QueryWidth, kvw = c.Shape.KvWidth;
        return new DecoderLayerWeights(
            Ones(d), rng.Matrix(qw, d, Std), rng.Matrix(kvw, d, Std), rng.Matrix(kvw, d, Std), rng.Matrix(d, qw, Std),
            Ones(d), rng.Matrix(f, d, Std), rng.Matrix(f, d, Std), rng.Matrix(d, f, Std));
    }

    private static float[] Ones(int n) => Enumerable.Repeat(1f, n).ToArray();
}

/// <summary>The Auto-embedding Block's parameters (SPEC §4).</summary>
public sealed record AutoEmbeddingWeights(
    Tensor HeadEmbeddings,                // [K, D]   auto_embedding.head_embeddings (P, row k = P_k)
    DecoderLayerWeights[] Layers);        // B        auto_embedding.layers.{b}.*

/// <summary>One drafting head's parameters (SPEC §4).</summary>
public sealed record DraftingHeadWeights(
    WeightMatrix Linear,                  // [D, D]   heads.{k}.linear.weight   W_k
    float[] Bias,                         // [D]      heads.{k}.linear.bias     b_k
    float[] Norm,                         // [D]      heads.{k}.norm.weight     RMSNorm_k gain
    WeightMatrix? LmHead);                // [V, D]   heads.{k}.lm_head.weight; null: the base model's, shared
