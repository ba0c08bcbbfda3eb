using Amphista.Decoding.Drafting;
using Amphista.Decoding.Drafting.Amphista;
using Amphista.Decoding.Drafting.Medusa;
using Amphista.Model;

namespace Amphista.Decoding.Tuning;

/// <summary>
/// A drafter's shape carried to another base model, for pricing speculation before any drafter is
/// trained for it (SPEC §6): the same kind, heads, stages, block layers and LM-head sharing; its MLP
/// width and its attention width (query heads × head size) in the same ratio to the hidden size, in
/// heads of the base model's size with as many key/value heads as query heads; its draft vocabulary
/// (the first N ids) in the same ratio to the vocabulary; and seeded random weights in bf16: what a
/// step costs does not depend on the weights' values.
/// </summary>
public static class DrafterSizing
{
    /// <summary>The drafter itself when it fits the model (same hidden size and vocabulary), else its shape sized to it.</summary>
    public static (IDrafter Drafter, bool Resized) Fit(IDrafter drafter, LlamaConfig model, int seed = DrafterSpec.DefaultSeed) => drafter switch
    {
        AmphistaDrafter a when a.Weights.Config is var c && (c.HiddenSize != model.HiddenSize || c.VocabSize != model.VocabSize) =>
            (new AmphistaDrafter(AmphistaWeights.Random(Sized(c, model), seed, Tensors.DType.BF16), Vocabulary(a.Vocabulary, c.VocabSize, model)), true),
        MedusaDrafter m when m.Weights.Config is var c && (c.HiddenSize != model.HiddenSize || c.VocabSize != model.VocabSize) =>
            (new MedusaDrafter(MedusaWeights.Random(c with { HiddenSize = model.HiddenSize, VocabSize = model.VocabSize, BaseModel = null },
                seed, Tensors.DType.BF16), Vocabulary(m.Vocabulary, c.VocabSize, model)), true),
        _ => (drafter, false),
    };

    private static AmphistaConfig Sized(AmphistaConfig c, LlamaConfig model)
    {
        int Scaled(double width, int unit) => (int)Math.Max(1, Math.Round(width * model.HiddenSize / c.HiddenSize / unit));
        int heads = Scaled(c.NumHeads * c.HeadDim, model.HeadDim);
        return AmphistaConfig.ForBaseModel(model, c.Heads, c.Stages, c.BlockLayers, c.SharedLmHead) with
        {
            AdaptationIntermediateSize = Scaled(c.AdaptationIntermediateSize, 1),
            NumHeads = heads,
            NumKvHeads = heads,
        };
    }

    private static DraftVocabulary? Vocabulary(DraftVocabulary? vocabulary, int vocabSize, LlamaConfig model) =>
        vocabulary is null ? null
            : DraftVocabulary.First((int)Math.Clamp(Math.Round((double)vocabulary.Size * model.VocabSize / vocabSize), 1, model.VocabSize), model.VocabSize);
}
