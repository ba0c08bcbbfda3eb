using Amphista.Model.Checkpoints;
using Amphista.Tensors;

namespace Amphista.Model.Llama;

/// <summary>The attention geometry of a decoder layer: H query heads, Hkv key/value heads of width Dh.</summary>
public sealed record LayerShape(int Heads, int KvHeads, int HeadDim, float RmsNormEps)
{
    public int QueryWidth => Heads * HeadDim;     // H·Dh
    public int KvWidth => KvHeads * HeadDim;      // Hkv·Dh
}

/// <summary>One Llama decoder layer's parameters (Hugging Face names in comments).</summary>
public sealed record DecoderLayerWeights(
    float[] AttentionNorm,     // [D]           input_layernorm
    WeightMatrix Wq,           // [H·Dh, D]     self_attn.q_proj
    WeightMatrix Wk,           // [Hkv·Dh, D]   self_attn.k_proj
    WeightMatrix Wv,           // [Hkv·Dh, D]   self_attn.v_proj
    WeightMatrix Wo,           // [D, H·Dh]     self_attn.o_proj
    float[] MlpNorm,           // [D]           post_attention_layernorm
    WeightMatrix Gate,         // [F, D]        mlp.gate_proj
    WeightMatrix Up,           // [F, D]        mlp.up_proj
    WeightMatrix Down)         // [D, F]        mlp.down_proj
{
    public IEnumerable<WeightMatrix> Matrices => [Wq, Wk, Wv, Wo, Gate, Up, Down];

    /// <summary>The same layer with every matrix stored as type (<see cref="WeightMatrix.As"/>).</summary>
    public DecoderLayerWeights As(DType type) => this with
    {
        Wq = Wq.As(type), Wk = Wk.As(type), Wv = Wv.As(type), Wo = Wo.As(type),
        Gate = Gate.As(type), Up = Up.As(type), Down = Down.As(type),
    };

    /// <summary>The layer's tensors under Hugging Face's names after prefix, as a layer lists them: each a vector or a matrix.</summary>
    public IEnumerable<(string Name, float[]? Vector, WeightMatrix? Matrix)> Named(string prefix) =>
    [
        (prefix + DecoderLayerNames.AttentionNorm, AttentionNorm, null),
        (prefix + DecoderLayerNames.Wq, null, Wq), (prefix + DecoderLayerNames.Wk, null, Wk),
        (prefix + DecoderLayerNames.Wv, null, Wv), (prefix + DecoderLayerNames.Wo, null, Wo),
        (prefix + DecoderLayerNames.MlpNorm, MlpNorm, null),
        (prefix + DecoderLayerNames.Gate, null, Gate), (prefix + DecoderLayerNames.Up, null, Up), (prefix + DecoderLayerNames.Down, null, Down),
    ];

    /// <summary>Reads a layer stored under Hugging Face's names after a prefix such as "model.layers.3.".</summary>
    public static DecoderLayerWeights Read(Checkpoint checkpoint, string prefix, int width, int mlpWidth, LayerShape shape)
    {
        int d = width, qw = shape.QueryWidth, kvw = shape.KvWidth;
        return new DecoderLayerWeights(
            checkpoint.ReadVector(prefix + DecoderLayerNames.AttentionNorm, d),
            checkpoint.ReadMatrix(prefix + DecoderLayerNames.Wq, qw, d),
            checkpoint.ReadMatrix(prefix + DecoderLayerNames.Wk, kvw, d),
            checkpoint.ReadMatrix(prefix + DecoderLayerNames.Wv, kvw, d),
            checkpoint.ReadMatrix(prefix + DecoderLayerNames.Wo, d, qw),
            checkpoint.ReadVector(prefix + DecoderLayerNames.MlpNorm, d),
            checkpoint.ReadMatrix(prefix + DecoderLayerNames.Gate, mlpWidth, d),
            checkpoint.ReadMatrix(prefix + DecoderLayerNames.Up, mlpWidth, d),
            checkpoint.ReadMatrix(prefix + DecoderLayerNames.Down, d, mlpWidth));
    }
}
