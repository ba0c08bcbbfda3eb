using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Training.Core;

namespace Amphista.Training.Layers;

/// <summary>
/// A trainable Llama decoder layer's parameters under Hugging Face names (prefix + DecoderLayerNames.Wq, …):
/// gains [1, D]; Wq [H·Dh, D], Wk, Wv [Hkv·Dh, D], Wo [D, H·Dh]; Gate, Up [F, D], Down [D, F].
/// </summary>
public sealed class DecoderLayerParameters
{
    public LayerShape Shape { get; }
    public Parameter AttentionNorm { get; }   // [1, D]
    public Parameter Wq { get; }              // [H·Dh, D]
    public Parameter Wk { get; }              // [Hkv·Dh, D]
    public Parameter Wv { get; }              // [Hkv·Dh, D]
    public Parameter Wo { get; }              // [D, H·Dh]
    public Parameter MlpNorm { get; }         // [1, D]
    public Parameter Gate { get; }            // [F, D]
    public Parameter Up { get; }              // [F, D]
    public Parameter Down { get; }            // [D, F]

    public DecoderLayerParameters(LayerShape shape, Parameter attentionNorm, Parameter wq, Parameter wk, Parameter wv,
        Parameter wo, Parameter mlpNorm, Parameter gate, Parameter up, Parameter down)
    {
        int d = attentionNorm.Cols, f = gate.Rows;
        bool fits = attentionNorm.Rows == 1 && mlpNorm.Rows == 1 && mlpNorm.Cols == d
            && wq.Rows == shape.QueryWidth && wq.Cols == d && wk.Rows == shape.KvWidth && wk.Cols == d
            && wv.Rows == shape.KvWidth && wv.Cols == d && wo.Rows == d && wo.Cols == shape.QueryWidth
            && gate.Cols == d && up.Rows == f && up.Cols == d && down.Rows == d && down.Cols == f
            && shape.Heads % shape.KvHeads == 0;
        if (!fits) throw new ArgumentException($"decoder layer parameters do not fit {shape}: {string.Join(", ", new[] { attentionNorm, wq, wk, wv, wo, mlpNorm, gate, up, down }.Select(p => p.ToString()))}");
        (Shape, AttentionNorm, Wq, Wk, Wv, Wo, MlpNorm, Gate, Up, Down) = (shape, attentionNorm, wq, wk, wv, wo, mlpNorm, gate, up, down);
    }

    public int Width => AttentionNorm.Cols;   // D

    public IEnumerable<Parameter> All => [AttentionNorm, Wq, Wk, Wv, Wo, MlpNorm, Gate, Up, Down];

    /// <summary>
    /// Gains 1; matrices N(0, std²) drawn in a fixed order from rng (GPT-2/Llama's 0.02 by default),
    /// except Wo and Down scaled by outputStd so a fresh layer starts close to the identity when wanted.
    /// </summary>
    public static DecoderLayerParameters Create(string prefix, int width, int mlpWidth, LayerShape shape, RandomWeights rng,
        float std = 0.02f, float? outputStd = null)
    {
        float outStd = outputStd ?? std;
        return new DecoderLayerParameters(shape,
            Parameter.Constant(prefix + DecoderLayerNames.AttentionNorm, width, 1f),
            Parameter.Normal(prefix + DecoderLayerNames.Wq, shape.QueryWidth, width, std, rng),
            Parameter.Normal(prefix + DecoderLayerNames.Wk, shape.KvWidth, width, std, rng),
            Parameter.Normal(prefix + DecoderLayerNames.Wv, shape.KvWidth, width, std, rng),
            Parameter.Normal(prefix + DecoderLayerNames.Wo, width, shape.QueryWidth, outStd, rng),
            Parameter.Constant(prefix + DecoderLayerNames.MlpNorm, width, 1f),
            Parameter.Normal(prefix + DecoderLayerNames.Gate, mlpWidth, width, std, rng),
            Parameter.Normal(prefix + DecoderLayerNames.Up, mlpWidth, width, std, rng),
            Parameter.Normal(prefix + DecoderLayerNames.Down, width, mlpWidth, outStd, rng));
    }

    /// <summary>Float32 copies in the inference layout, for Amphista.Model.Llama.DecoderLayer.</summary>
    public DecoderLayerWeights ToInferenceWeights() => new(
        AttentionNorm.Value.Data.ToArray(), Wq.ToWeightMatrix(), Wk.ToWeightMatrix(), Wv.ToWeightMatrix(), Wo.ToWeightMatrix(),
        MlpNorm.Value.Data.ToArray(), Gate.ToWeightMatrix(), Up.ToWeightMatrix(), Down.ToWeightMatrix());
}
