using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Decoding.Drafting.Amphista;

/// <summary>
/// The Amphista drafter (Li et al., NAACL 2025; SPEC §4): feature
/// fusion and Staged Adaptation Layers over the committed positions, then the Auto-embedding Block's
/// bi-directional attention across the K heads, then K heads on the base model's LM head. One draft
/// pass yields all K distributions at once; head k (0-based) guesses x_{t+2+k}. With a draft
/// vocabulary the heads score only its N tokens.
/// </summary>
public sealed class AmphistaDrafter(AmphistaWeights weights, DraftVocabulary? vocabulary = null) : IDrafter
{
    // The stages' RoPE table is the drafter's, built once: sessions share it.
    private readonly RopeTable rope = new(weights.Config.HeadDim, weights.Config.MaxPositions, weights.Config.RopeTheta);

    public AmphistaWeights Weights { get; } = weights;

    /// <summary>The tokens the heads score, or null for the whole vocabulary.</summary>
    public DraftVocabulary? Vocabulary { get; } = vocabulary;

    public int Heads => Weights.Config.Heads;

    public string Name => "amphista";

    public long MultiplyAddsPerStep(int committedRows, int draftedHeads) =>
        DraftCost.Amphista(Weights.Config, committedRows, draftedHeads, Vocabulary?.Size);

    /// <summary>
    /// Refuses a base model of another width or vocabulary, or one with more positions than the
    /// stages' RoPE table covers.
    /// </summary>
    public AmphistaSession Begin(LlamaModel model)
    {
        var (c, m) = (Weights.Config, model.Config);
        if (c.HiddenSize != m.HiddenSize || c.VocabSize != m.VocabSize || c.MaxPositions < m.MaxPositions)
            throw new AmphistaException(
                $"Amphista drafter was made for hidden size {c.HiddenSize} / vocab {c.VocabSize} / {c.MaxPositions} positions, " +
                $"but the model has hidden size {m.HiddenSize} / vocab {m.VocabSize} / {m.MaxPositions} positions");
        return new AmphistaSession(Weights, model, rope, Vocabulary);
    }

    IDraftSession IDrafter.Begin(LlamaModel model) => Begin(model);
}
