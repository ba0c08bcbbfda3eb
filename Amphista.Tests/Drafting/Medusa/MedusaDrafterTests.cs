using Amphista.Decoding.Drafting.Medusa;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using Amphista.Tests.Support;
using FsCheck.Fluent;
using static Amphista.Tests.Drafting.Medusa.MedusaFixtures;

namespace Amphista.Tests.Drafting.Medusa;

/// <summary>
/// Medusa's head forward, logits_k = W_lm^(k) (h_t + SiLU(W_k h_t + b_k)), on a case small enough to
/// work by hand, and the drafter's contract: K lists of top-k distinct ids, best first, from h_t.
/// </summary>
public class MedusaDrafterTests
{
    private static readonly float Silu1 = (float)(1 / (1 + Math.Exp(-1)));

    /// <summary>
    /// D = 2, V = 3, h_t = [1, -2]. Head 0: W = I, b = [0, 3], so W h + b = [1, 1] and
    /// x = [1 + SiLU(1), -2 + SiLU(1)]; its LM head rows [1, 0], [0, -1], [1, 1] rank 0, 1, 2,
    /// where h_t alone would rank 1, 0, 2. Head 1: W = 0, b = 0, so x = h_t exactly (SiLU(0) = 0).
    /// </summary>
    private static MedusaWeights HandWeights()
    {
        static WeightMatrix M(int rows, params float[] data) => WeightMatrix.FromF32(rows, 2, data);
        var head0 = new MedusaHead([new ResBlock(M(2, 1, 0, 0, 1), [0, 3])], M(3, 1, 0, 0, -1, 1, 1));
        var head1 = new MedusaHead([new ResBlock(M(2, 0, 0, 0, 0), [0, 0])], M(3, 0, 1, 1, 0, -1, 0));
        return new MedusaWeights(new MedusaConfig(2, 1, 2, 3, SharedLmHead: false), [head0, head1]);
    }

    [Fact]
    public void HandComputedLogits()
    {
        var weights = HandWeights();
        var kernels = new CpuKernels(1);
        var h = new Tensor(1, 2, [1, -2]);
        var buffers = new MedusaHeadBuffers(kernels, 2, 3);
        var unusedSharedHead = WeightMatrix.FromF32(3, 2, new float[6]);

        weights.Heads[0].Forward(kernels, h, unusedSharedHead, buffers);
        float x0 = 1 + Silu1, x1 = -2 + Silu1;
        Assertions.Close([x0, -x1, x0 + x1], buffers.Logits.Data, 1e-6, "head 0 logits");

        weights.Heads[1].Forward(kernels, h, unusedSharedHead, buffers);
        Assertions.BitwiseEqual([-2f, 1f, -1f], buffers.Logits.Data, "head 1 logits");
    }

    [Fact]
    public void HandComputedTopKFromTheLastCommittedRow()
    {
        var model = BaseModel(2, 3);
        var session = new MedusaDrafter(HandWeights()).Begin(model);
        // Row 0 would rank differently; Medusa must read only the last row, h_t = [1, -2].
        session.Commit(new Tensor(2, 2, [-5, 5, 1, -2]), [0, 1], [2, 1]);

        var candidates = session.Draft(heads: 2, topK: 3);

        Assert.Equal([[0, 1, 2], [1, 2, 0]], candidates);
        Assert.Equal([[0, 1], [1, 2]], session.Draft(2, 2));
        Assert.Equal([[0, 1]], session.Draft(heads: 1, topK: 2));
    }

    [Fact]
    public void DraftReturnsKListsOfDistinctIdsBestFirst()
    {
        var model = BaseModel(24, 50);
        var gen =
            from heads in Gen.Choose(1, 4)
            from layers in Gen.Choose(1, 2)
            from topK in Gen.Choose(1, 12)
            from shared in Gen.Elements(true, false)
            from type in Gen.Elements(DType.F32, DType.BF16)
            from seed in Gen.Choose(0, 1 << 20)
            select (Config: new MedusaConfig(heads, layers, 24, 50, shared), TopK: topK, Type: type, Seed: seed);
        Properties.Check(gen, c =>
        {
            var weights = MedusaWeights.Random(c.Config, c.Seed, c.Type);
            var h = Rand.Tensor(1, 24, c.Seed + 1).Data;

            var candidates = Commit(new MedusaDrafter(weights), model, h).Draft(c.Config.Heads, c.TopK);

            Assert.Equal(c.Config.Heads, candidates.Length);
            for (int k = 0; k < candidates.Length; k++)
            {
                int[] ids = candidates[k];
                Assert.Equal(c.TopK, ids.Length);
                Assert.Equal(ids.Length, ids.Distinct().Count());
                var logits = HeadLogits(weights.Heads[k], model, h);
                for (int j = 1; j < ids.Length; j++) Assert.True(logits[ids[j - 1]] >= logits[ids[j]], $"{c}: head {k} rank {j}");
                float last = logits[ids[^1]];
                Assert.All(Enumerable.Range(0, 50).Except(ids), i => Assert.True(logits[i] <= last, $"{c}: head {k} skipped id {i}"));
            }
        }, maxTest: 25);
    }

    [Fact]
    public void SharedLmHeadIsTheBaseModelsAndOwnLmHeadsAreUsedWhenGiven()
    {
        var model = BaseModel(16, 40);
        var shared = MedusaWeights.Random(new MedusaConfig(3, 1, 16, 40), seed: 5);
        var h = Rand.Tensor(1, 16, 6).Data;
        var baseHead = model.Weights.LmHead;
        var negatedBaseHead = WeightMatrix.FromF32(40, 16, baseHead.F32.ToArray().Select(w => -w).ToArray());

        int[][] Draft(MedusaWeights w) => Commit(new MedusaDrafter(w), model, h).Draft(w.Heads.Length, 40);
        MedusaWeights WithOwnHeads(WeightMatrix lmHead) => new(
            shared.Config with { SharedLmHead = false },
            [.. shared.Heads.Select(head => head with { LmHead = lmHead })]);

        var sharedDraft = Draft(shared);
        Assert.Equal(sharedDraft, Draft(WithOwnHeads(baseHead)));
        // Negating the LM head negates every logit exactly, so each head's full ranking reverses.
        Assert.Equal(sharedDraft.Select(ids => ids.Reverse().ToArray()), Draft(WithOwnHeads(negatedBaseHead)));
    }

    [Fact]
    public void ZeroBlocksOnTheRealTinyModelReproduceItsNextTokenRanking()
    {
        var model = TestData.Tiny;
        int d = model.Config.HiddenSize, v = model.Config.VocabSize;
        var zeroBlock = new ResBlock(WeightMatrix.FromF32(d, d, new float[d * d]), new float[d]);
        var weights = new MedusaWeights(new MedusaConfig(2, 1, d, v), [new([zeroBlock], null), new([zeroBlock], null)]);
        int[] tokens = [1, 17, 42, 300, 5];
        var sequence = model.CreateSequenceState();
        var h = model.Forward(sequence, tokens, [0, 1, 2, 3, 4], 0, AttentionMask.Causal(0, tokens.Length));
        var baseTop = new int[8];
        model.Kernels.TopK(model.Logits(sequence, h, ^1..).Row(0), baseTop);

        var session = new MedusaDrafter(weights).Begin(model);
        session.Commit(h, [0, 1, 2, 3, 4], [17, 42, 300, 5, baseTop[0]]);

        // An untrained (zero-W) Medusa head is the base model's next-token guess: why Random draws W.
        Assert.All(session.Draft(2, 8), ids => Assert.Equal(baseTop, ids));
    }

    [Theory]
    [InlineData(32, 512, "Medusa heads were made for hidden size 32 / vocab 512, but the model has hidden size 64 / vocab 512")]
    [InlineData(64, 32000, "Medusa heads were made for hidden size 64 / vocab 32000, but the model has hidden size 64 / vocab 512")]
    public void MismatchedBaseModelIsRefused(int hidden, int vocab, string message)
    {
        var drafter = new MedusaDrafter(MedusaWeights.Random(new MedusaConfig(1, 1, hidden, vocab, SharedLmHead: false), 1));

        var e = Assert.Throws<AmphistaException>(() => drafter.Begin(TestData.Tiny));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void DraftBeforeCommitIsAnError()
    {
        var model = BaseModel(8, 16);
        var session = new MedusaDrafter(MedusaWeights.Random(new MedusaConfig(2, 1, 8, 16), 1)).Begin(model);

        Assert.Throws<InvalidOperationException>(() => session.Draft(1, 1));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(3, 1)]
    [InlineData(1, 0)]
    [InlineData(1, 17)]
    public void DraftOutsideTheHeadsOrVocabularyIsAnError(int heads, int topK)
    {
        var model = BaseModel(8, 16);
        var session = Commit(new MedusaDrafter(MedusaWeights.Random(new MedusaConfig(2, 1, 8, 16), 1)), model, new float[8]);

        Assert.Throws<ArgumentOutOfRangeException>(() => session.Draft(heads, topK));
    }

    [Fact]
    public void NameHeadsAndCost()
    {
        var drafter = new MedusaDrafter(MedusaWeights.Random(new MedusaConfig(3, 2, 4, 10), 1));

        Assert.Equal("medusa", drafter.Name);
        Assert.Equal(3, drafter.Heads);
        Assert.Equal(3 * (2 * 4 * 4 + 10 * 4), drafter.MultiplyAddsPerStep(committedRows: 3, draftedHeads: 3));
        Assert.Equal(2 * 4 * 4 + 10 * 4, drafter.MultiplyAddsPerStep(committedRows: 3, draftedHeads: 1));
    }

    private static float[] HeadLogits(MedusaHead head, LlamaModel model, float[] h)
    {
        var buffers = new MedusaHeadBuffers(model.Kernels, h.Length, model.Config.VocabSize);
        head.Forward(model.Kernels, new Tensor(1, h.Length, h), model.Weights.LmHead, buffers);
        return buffers.Logits.Data;
    }
}
