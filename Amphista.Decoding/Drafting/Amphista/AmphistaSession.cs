using Amphista.Decoding.Sampling;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Decoding.Drafting.Amphista;

/// <summary>
/// One generation's Amphista state (SPEC §4). Commit runs feature
/// fusion and the Staged Adaptation Layers over the newly committed rows only, extending the stage
/// caches; Draft runs the Auto-embedding Block and the heads once, all K distributions together.
/// </summary>
public sealed class AmphistaSession : IDraftSession
{
    private readonly AmphistaWeights weights;
    private readonly LlamaModel model;
    private readonly AutoEmbeddingBlock block;
    private readonly DraftingHead.HeadBuffers heads;
    private readonly DraftVocabulary? vocabulary;
    private readonly WeightMatrix sharedLmHead;        // [N, D]  W_lm, or its draft-vocabulary rows
    private readonly DraftingHeadWeights[] headWeights;   // K, own LM heads cut to the draft vocabulary
    private Tensor joined;             // [T, 2D]
    private Tensor fused;              // [T, D]
    private int[][] candidates = [];   // [K][topK]

    internal AmphistaSession(AmphistaWeights weights, LlamaModel model, RopeTable rope, DraftVocabulary? vocabulary)
    {
        this.weights = weights;
        this.model = model;
        this.vocabulary = vocabulary;
        sharedLmHead = vocabulary?.Restrict(model.Weights.LmHead) ?? model.Weights.LmHead;
        headWeights =
            [.. weights.Heads.Select(h => h.LmHead is { } own && vocabulary is not null ? h with { LmHead = vocabulary.Restrict(own) } : h)];
        var c = weights.Config;
        Stages = new StagedAdaptationLayers(model.Kernels, weights.Stages, c.Shape, rope,
            capacity: model.Config.MaxPositions, c.HiddenSize);
        block = new AutoEmbeddingBlock(model.Kernels, weights.AutoEmbedding, c, rope);
        heads = new DraftingHead.HeadBuffers(model.Kernels, c.Heads, c.HiddenSize, DraftVocabularySize);
        joined = model.Kernels.Allocate(0, 2 * c.HiddenSize);
        fused = model.Kernels.Allocate(0, c.HiddenSize);
    }

    public StagedAdaptationLayers Stages { get; }

    /// <summary>N: the tokens each head scores (V without a draft vocabulary).</summary>
    private int DraftVocabularySize => vocabulary?.Size ?? weights.Config.VocabSize;

    /// <summary>Fusion then the stages over the new rows: hidden h [T, D], positions [T], following tokens [T].</summary>
    public void Commit(Tensor hidden, ReadOnlySpan<int> positions, ReadOnlySpan<int> followingTokens)
    {
        CheckCommit(hidden, positions, followingTokens);
        FeatureFusion.Forward(model.Kernels, weights.Fusion, model.Weights.Embedding, hidden, followingTokens,
            Tensor.Ensure(ref joined, hidden.Rows), Tensor.Ensure(ref fused, hidden.Rows));
        Stages.Extend(fused, positions);
    }

    /// <summary>logits [K, N] of the K heads at the last committed position (a buffer the next call overwrites).</summary>
    public Tensor Logits() => Logits(weights.Config.Heads);

    /// <summary>
    /// logits [heads, N] of heads 0..heads-1 over the draft vocabulary (column i scores its token
    /// i; N = V without one). The block still runs over all K rows (every head attends to every
    /// other); only the later heads' own products are left out.
    /// </summary>
    public Tensor Logits(int heads)
    {
        Candidates.CheckHeads(heads, weights.Config.Heads);
        if (Stages.Committed == 0)
            throw new InvalidOperationException("Draft before any Commit: there is no position to draft from");
        var u = block.Forward(Stages.Last);   // [K, D]
        return DraftingHead.Forward(model.Kernels, headWeights.AsSpan(0, heads), weights.Config.RmsNormEps, u,
            sharedLmHead, this.heads);   // [heads, N]
    }

    public int[][] Draft(int heads, int topK, PerturbedCandidates? perturbed = null)
    {
        Candidates.CheckDraft(heads, topK, weights.Config.Heads, DraftVocabularySize);
        var logits = Logits(heads);   // [heads, N]
        candidates = Candidates.Reuse(candidates, heads, topK);
        Candidates.Select(model.Kernels, logits, candidates, vocabulary, perturbed);
        return candidates;
    }

    public void Dispose()
    {
        joined.Dispose();
        fused.Dispose();
        Stages.Dispose();
        block.Dispose();
        heads.Dispose();
    }

    private void CheckCommit(Tensor hidden, ReadOnlySpan<int> positions, ReadOnlySpan<int> followingTokens)
    {
        if (hidden.Cols != weights.Config.HiddenSize || hidden.Rows != positions.Length || hidden.Rows != followingTokens.Length)
            throw new ArgumentException(
                $"committed hidden states {hidden} do not fit {positions.Length} positions, " +
                $"{followingTokens.Length} following tokens and width {weights.Config.HiddenSize}");
        foreach (int id in followingTokens)
            if ((uint)id >= (uint)weights.Config.VocabSize)
                throw new InputException($"following token id {id} is outside the vocabulary [0, {weights.Config.VocabSize})");
    }
}
