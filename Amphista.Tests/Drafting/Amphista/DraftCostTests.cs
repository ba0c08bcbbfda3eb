using Amphista.Decoding;
using Amphista.Decoding.Drafting.Amphista;
using Amphista.Decoding.Drafting.Medusa;
using Amphista.Model;
using Amphista.Tests.Decoding;

namespace Amphista.Tests.Drafting.Amphista;

/// <summary>Multiply-adds per decoding step, worked by hand for a tiny shape and for Vicuna-7B.</summary>
public class DraftCostTests
{
    /// <summary>D 4, F 6, H 2, Hkv 1, Dh 2, V 10: one layer row is 4·(2·4 + 2·2) + 3·4·6 = 48 + 72 = 120.</summary>
    private static readonly LlamaConfig Tiny = new(4, 6, 2, 2, 1, 2, 10, 16, 1e-6f, 10000, false, 1, [2]);

    /// <summary>Vicuna-7B: D 4096, F 11008, 32 layers of 32 heads of 128, V 32000.</summary>
    private static readonly LlamaConfig Vicuna7B = new(4096, 11008, 32, 32, 32, 128, 32000, 2048, 1e-6f, 10000, false, 1, [2]);

    [Fact]
    public void TinyShapeByHand()
    {
        var amphista = AmphistaConfig.ForBaseModel(Tiny, heads: 2, stages: 1);

        Assert.Equal(120, DraftCost.DecoderLayer(4, 6, amphista.Shape));
        // 2 layers + LM head: 2·120 + 10·4.
        Assert.Equal(280, DraftCost.BaseModelStep(Tiny));
        // 3 rows of fusion (2·16) and one stage (120), then 2 heads of block (120), W_k (16), LM head (40).
        Assert.Equal(3 * (32 + 120) + 2 * (120 + 16 + 40), DraftCost.Amphista(amphista, committedRows: 3, draftedHeads: 2));
        Assert.Equal(808, new AmphistaDrafter(AmphistaWeights.Random(amphista, 1)).MultiplyAddsPerStep(3, 2));
        // Drafting head 0 only: the block still runs over both head rows; one W_k and one LM-head product.
        Assert.Equal(3 * (32 + 120) + 2 * 120 + (16 + 40), DraftCost.Amphista(amphista, committedRows: 3, draftedHeads: 1));
        // 2 heads of 3 blocks (16 each) and an LM head (40), whatever was committed.
        Assert.Equal(2 * (3 * 16 + 40), DraftCost.Medusa(new MedusaConfig(2, 3, 4, 10), draftedHeads: 2));
        Assert.Equal(0, ScriptedDrafter.Oracle(2, [1, 2, 3], 10).MultiplyAddsPerStep(3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => DraftCost.Medusa(new MedusaConfig(2, 3, 4, 10), draftedHeads: 3));
    }

    [Fact]
    public void Vicuna7BByHand()
    {
        // One layer row: 4096·(2·4096 + 2·4096) + 3·4096·11008 = 67,108,864 + 135,266,304.
        long layer = 202_375_168;
        // 32 layers + the LM head 32000·4096 = 131,072,000.
        Assert.Equal(32 * layer + 131_072_000, DraftCost.BaseModelStep(Vicuna7B));
        // One committed row: fusion 2·4096² + 2 stages; 4 heads: block layer + 4096² + 131,072,000.
        var amphista = AmphistaConfig.ForBaseModel(Vicuna7B);
        long expected = (2 * 16_777_216 + 2 * layer) + 4 * (layer + 16_777_216 + 131_072_000);
        Assert.Equal(1_839_202_304, expected);
        Assert.Equal(expected, DraftCost.Amphista(amphista, committedRows: 1, draftedHeads: 4));
        Assert.Equal(5 * (16_777_216 + 131_072_000), DraftCost.Medusa(new MedusaConfig(5, 1, 4096, 32000), draftedHeads: 5));

        Assert.Equal("draft: 1839.20 MMAC per step (27.8% of one base-model step of 6607.08 MMAC)",
            DraftCost.Describe(DraftCost.Amphista(amphista, 1, 4), Vicuna7B));
        Assert.Equal("draft: 739.25 MMAC per step (11.2% of one base-model step of 6607.08 MMAC)",
            DraftCost.Describe(DraftCost.Medusa(new MedusaConfig(5, 1, 4096, 32000), 5), Vicuna7B));
    }
}
