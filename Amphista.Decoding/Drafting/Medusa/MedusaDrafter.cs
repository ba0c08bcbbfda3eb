using Amphista.Decoding.Sampling;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Decoding.Drafting.Medusa;

/// <summary>
/// The Medusa drafter (Cai et al. 2024, Medusa-1; SPEC §3b), the baseline Amphista is measured against: K independent
/// heads on the base model's last committed hidden state h_t [D]; head k's top-k tokens are its
/// guesses for x_{t+2+k}. With a draft vocabulary the heads score only its N tokens.
/// </summary>
public sealed class MedusaDrafter(MedusaWeights weights, DraftVocabulary? vocabulary = null) : IDrafter
{
    public MedusaWeights Weights { get; } = weights;

    /// <summary>The tokens the heads score, or null for the whole vocabulary.</summary>
    public DraftVocabulary? Vocabulary { get; } = vocabulary;

    public int Heads => Weights.Config.Heads;

    public string Name => "medusa";

    /// <summary>Medusa reads only h_t, so its cost does not depend on how many rows were committed.</summary>
    public long MultiplyAddsPerStep(int committedRows, int draftedHeads) => DraftCost.Medusa(Weights.Config, draftedHeads, Vocabulary?.Size);

    public IDraftSession Begin(LlamaModel model)
    {
        var c = Weights.Config;
        if (c.HiddenSize != model.Config.HiddenSize || c.VocabSize != model.Config.VocabSize)
            throw new AmphistaException(
                $"Medusa heads were made for hidden size {c.HiddenSize} / vocab {c.VocabSize}, " +
                $"but the model has hidden size {model.Config.HiddenSize} / vocab {model.Config.VocabSize}");
        return new Session(Weights, model, Vocabulary);
    }

    private sealed class Session(MedusaWeights weights, LlamaModel model, DraftVocabulary? vocabulary) : IDraftSession
    {
        private readonly int draftVocabulary = vocabulary?.Size ?? weights.Config.VocabSize;                         // N (V without one)
        private readonly WeightMatrix lmHead = vocabulary?.Restrict(model.Weights.LmHead) ?? model.Weights.LmHead;   // [N, D]
        private readonly MedusaHead[] heads =
            [.. weights.Heads.Select(h => h.LmHead is { } own && vocabulary is not null ? h with { LmHead = vocabulary.Restrict(own) } : h)];
        private readonly Tensor lastHidden = model.Kernels.Allocate(1, weights.Config.HiddenSize);                  // [1, D]  h_t
        private readonly Tensor features = model.Kernels.Allocate(weights.Heads.Length, weights.Config.HiddenSize);  // [K, D]
        private readonly MedusaHeadBuffers buffers = new(model.Kernels, weights.Config.HiddenSize, vocabulary?.Size ?? weights.Config.VocabSize);
        private readonly Tensor logits = model.Kernels.Allocate(weights.Heads.Length, vocabulary?.Size ?? weights.Config.VocabSize);  // [K, N]
        private readonly bool sharedLmHead = weights.Heads.All(h => h.LmHead is null);
        private int[][] candidates = [];   // [K][topK]
        private bool committed;

        // Medusa reads only h_t: earlier rows, the positions and the following tokens do not matter to it.
        public void Commit(Tensor hidden, ReadOnlySpan<int> positions, ReadOnlySpan<int> followingTokens)
        {
            if (hidden.Rows == 0 || hidden.Cols != lastHidden.Cols)
                throw new ArgumentException($"committed hidden states {hidden} do not fit [n >= 1, {lastHidden.Cols}]");
            model.Kernels.Copy(hidden, hidden.Rows - 1, lastHidden, 0, 1);
            committed = true;
        }

        public int[][] Draft(int heads, int topK, PerturbedCandidates? perturbed = null)
        {
            if (!committed) throw new InvalidOperationException("Draft before any Commit: there is no h_t to draft from");
            Candidates.CheckDraft(heads, topK, weights.Heads.Length, draftVocabulary);
            candidates = Candidates.Reuse(candidates, heads, topK);
            Logits(heads);
            Candidates.Select(model.Kernels, logits, candidates, vocabulary, perturbed);
            return candidates;
        }

        /// <summary>
        /// logits [heads, N] of heads 0..heads-1 over the draft vocabulary (N = V without one). With the
        /// LM head shared, one product reads W_lm once for all of them (decode is bound by weight
        /// reads); the kernels being batch-invariant, each row has the bits of its own head's product.
        /// </summary>
        private void Logits(int heads)
        {
            features.Resize(heads);
            logits.Resize(heads);
            for (int k = 0; k < heads; k++)
            {
                if (sharedLmHead)
                {
                    this.heads[k].Features(model.Kernels, lastHidden, buffers);
                    model.Kernels.Copy(buffers.X, 0, features, k, 1);
                    continue;
                }
                this.heads[k].Forward(model.Kernels, lastHidden, lmHead, buffers);
                model.Kernels.Copy(buffers.Logits, 0, logits, k, 1);
            }
            if (sharedLmHead) model.Kernels.MatMul(features, lmHead, logits);
        }

        public void Dispose()
        {
            foreach (var t in new[] { lastHidden, features, logits }) t.Dispose();
            buffers.Dispose();
        }
    }
}
