using Amphista.Decoding.Drafting;
using Amphista.Decoding.Drafting.Amphista;
using Amphista.Decoding.Drafting.Medusa;
using Amphista.Model.Llama;
using Amphista.Tests.Support;
using FsCheck.Fluent;
using static Amphista.Tests.Drafting.Amphista.AmphistaFixtures;
using static Amphista.Tests.Drafting.Medusa.MedusaFixtures;

namespace Amphista.Tests.Drafting;

/// <summary>
/// Drafting for a tree of depth d computes only heads 0..d-1 (IDraftSession.Draft): each head's
/// candidates, and Amphista's logits bit for bit, are the same as when all K heads are drafted,
/// for either LM head (shared or each head's own).
/// </summary>
public class HeadSubsetTests
{
    private const int D = 16, V = 40;

    private static readonly FsCheck.Gen<(int Heads, int Used, bool Shared, int Seed)> Cases =
        from heads in Gen.Choose(1, 5)
        from used in Gen.Choose(1, heads)
        from shared in Gen.Elements(true, false)
        from seed in Gen.Choose(0, 1 << 20)
        select (heads, used, shared, seed);

    [Fact]
    public void MedusaDraftsTheFirstHeadsAsItDraftsAllOfThem()
    {
        var model = BaseModel(D, V);
        Properties.Check(Cases, c =>
        {
            var drafter = new MedusaDrafter(MedusaWeights.Random(new MedusaConfig(c.Heads, 1, D, V, c.Shared), c.Seed));
            var h = Rand.Tensor(1, D, c.Seed + 1).Data;

            AssertFirstHeads(Commit(drafter, model, h), Commit(drafter, model, h), c);
        }, maxTest: 25);
    }

    [Fact]
    public void AmphistaDraftsTheFirstHeadsAsItDraftsAllOfThem()
    {
        var model = BaseModel(D, V);
        Properties.Check(Cases, c =>
        {
            var config = AmphistaConfig.ForBaseModel(model.Config, c.Heads, stages: Math.Min(2, c.Heads), sharedLmHead: c.Shared);
            var drafter = new AmphistaDrafter(AmphistaWeights.Random(config, c.Seed));
            var hidden = Rand.Tensor(3, D, c.Seed + 1);
            var tokens = Tokens(4, V, c.Seed + 2);
            using var all = FromScratch(drafter, model, hidden, tokens, 3);
            using var first = FromScratch(drafter, model, hidden, tokens, 3);

            var allLogits = all.Logits().Data.AsSpan(0, c.Used * V).ToArray();   // rows 0..used-1 of [K, V]
            var firstLogits = first.Logits(c.Used);                              // [used, V]

            Assert.Equal(c.Used, firstLogits.Rows);
            Assertions.BitwiseEqual(allLogits, firstLogits.Data.AsSpan(0, c.Used * V).ToArray(), $"{c}: logits");
            AssertFirstHeads(all, first, c);
        }, maxTest: 25);
    }

    private static void AssertFirstHeads(IDraftSession all, IDraftSession first, (int Heads, int Used, bool Shared, int Seed) c)
    {
        int[][] expected = [.. all.Draft(c.Heads, topK: 5).Select(ids => ids.ToArray())];
        int[][] drafted = first.Draft(c.Used, topK: 5);

        Assert.Equal(c.Used, drafted.Length);
        for (int k = 0; k < c.Used; k++) Assert.True(expected[k].SequenceEqual(drafted[k]), $"{c}: head {k}");
    }
}
