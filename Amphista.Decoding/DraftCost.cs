using System.Globalization;
using Amphista.Decoding.Drafting;
using Amphista.Decoding.Drafting.Amphista;
using Amphista.Decoding.Drafting.Medusa;
using Amphista.Model;
using Amphista.Model.Llama;

namespace Amphista.Decoding;

/// <summary>
/// What drafting costs next to the base model it serves, in multiply-adds of weight products per
/// decoding step (SPEC §4). Only weight products are counted: they dominate at decode time and do
/// not depend on the context length, unlike attention's score products, which are left out on
/// both sides. One base-model step is one token through the L layers and the LM head.
/// </summary>
public static class DraftCost
{
    /// <summary>One row through a Llama decoder layer's matrices: D·(2·H·Dh + 2·Hkv·Dh) + 3·D·F.</summary>
    public static long DecoderLayer(int hiddenSize, int intermediateSize, LayerShape shape) =>
        (long)hiddenSize * (2L * shape.QueryWidth + 2L * shape.KvWidth) + 3L * hiddenSize * intermediateSize;

    /// <summary>One base-model decode step: L·DecoderLayer + V·D (the embedding is a lookup).</summary>
    public static long BaseModelStep(LlamaConfig c) =>
        c.NumLayers * DecoderLayer(c.HiddenSize, c.IntermediateSize,
            new LayerShape(c.NumHeads, c.NumKvHeads, c.HeadDim, c.RmsNormEps)) + (long)c.VocabSize * c.HiddenSize;

    /// <summary>
    /// Medusa drafting its first h heads: h·(L·D² + N·D), the residual blocks and the LM-head products
    /// on h_t alone; N is the draft vocabulary's size (V when it has none).
    /// </summary>
    public static long Medusa(MedusaConfig c, int draftedHeads, int? draftVocabulary = null)
    {
        CheckHeads(draftedHeads, c.Heads);
        long d = c.HiddenSize;
        return draftedHeads * (c.Layers * d * d + (draftVocabulary ?? c.VocabSize) * d);
    }

    /// <summary>
    /// Amphista drafting its first h heads: per committed row, fusion 2·D² and S stage layers; per
    /// draft, B block layers over all K head rows (every head attends to every other), then per
    /// drafted head W_k (D²) and the LM-head product (N·D, N the draft vocabulary's size, V when it
    /// has none).
    /// </summary>
    public static long Amphista(AmphistaConfig c, int committedRows, int draftedHeads, int? draftVocabulary = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(committedRows);
        CheckHeads(draftedHeads, c.Heads);
        long d = c.HiddenSize;
        long layer = DecoderLayer(c.HiddenSize, c.AdaptationIntermediateSize, c.Shape);
        long perRow = 2 * d * d + c.Stages * layer;
        long perDraftedHead = d * d + (draftVocabulary ?? c.VocabSize) * d;
        return committedRows * perRow + c.Heads * c.BlockLayers * layer + draftedHeads * perDraftedHead;
    }

    private static void CheckHeads(int draftedHeads, int heads)
    {
        if (draftedHeads < 0 || draftedHeads > heads)
            throw new ArgumentOutOfRangeException(nameof(draftedHeads), $"{draftedHeads} drafted heads of {heads}");
    }

    /// <summary>
    /// "draft: X MMAC per step (Y% of one base-model step of Z MMAC)" (MMAC: millions of multiply-adds)
    /// for a drafter's <see cref="IDrafter.MultiplyAddsPerStep"/> on this base model.
    /// </summary>
    public static string Describe(long draftMultiplyAdds, LlamaConfig model) => Describe(draftMultiplyAdds, BaseModelStep(model));

    /// <summary>The same line against one base-model step of baseMultiplyAdds.</summary>
    public static string Describe(long draftMultiplyAdds, long baseMultiplyAdds)
    {
        double draft = draftMultiplyAdds, step = baseMultiplyAdds;
        return string.Create(CultureInfo.InvariantCulture,
            $"draft: {draft / 1e6:F2} MMAC per step ({100 * draft / step:F1}% of one base-model step of {step / 1e6:F2} MMAC)");
    }
}
