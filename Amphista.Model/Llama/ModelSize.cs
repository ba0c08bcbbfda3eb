using Amphista.Tensors;

namespace Amphista.Model.Llama;

/// <summary>
/// A Llama model's size from its config alone, so a benchmark can state the parameter count and the
/// memory roofline of a 7 B model without building its 13.5 GB of weights. Counts follow
/// <see cref="LlamaWeights"/>: no biases, RMSNorm gains as parameters, the LM head counted once when tied.
/// </summary>
public static class ModelSize
{
    /// <summary>Every parameter, as Hugging Face's model.num_parameters() counts it.</summary>
    public static long Parameters(LlamaConfig c)
    {
        long embedding = (long)c.VocabSize * c.HiddenSize;
        long lmHead = c.TieWordEmbeddings ? 0 : embedding;
        long norms = 2L * c.HiddenSize * c.NumLayers + c.HiddenSize;
        return embedding + lmHead + c.NumLayers * LayerMatrixParameters(c) + norms;
    }

    /// <summary>
    /// Weight bytes one decode step reads when matrices are stored as type: every layer matrix and the
    /// LM head once, one embedding row (the same sum as <see cref="LlamaWeights.DecodeBytesPerToken"/>).
    /// </summary>
    public static long DecodeBytesPerToken(LlamaConfig c, DType type)
    {
        long elements = c.NumLayers * LayerMatrixParameters(c) + (long)c.VocabSize * c.HiddenSize + c.HiddenSize;
        return elements * DTypes.SizeOf(type);
    }

    /// <summary>Wq, Wk, Wv, Wo, gate, up, down of one decoder layer.</summary>
    private static long LayerMatrixParameters(LlamaConfig c)
    {
        long attention = 2L * c.NumHeads * c.HeadDim * c.HiddenSize + 2L * c.NumKvHeads * c.HeadDim * c.HiddenSize;
        long mlp = 3L * c.IntermediateSize * c.HiddenSize;
        return attention + mlp;
    }
}
