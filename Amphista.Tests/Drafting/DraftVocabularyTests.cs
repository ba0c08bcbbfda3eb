using Amphista.Decoding.Drafting;
using Amphista.Decoding.Drafting.Amphista;
using Amphista.Decoding.Drafting.Medusa;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tests.Support;
using FsCheck.Fluent;
using static Amphista.Tests.Drafting.Amphista.AmphistaFixtures;
using static Amphista.Tests.Drafting.Medusa.MedusaFixtures;

namespace Amphista.Tests.Drafting;

/// <summary>
/// A draft vocabulary restricts what the heads score, not how: each head's score for a token in it is
/// bit for bit the score it has over the full vocabulary, so the candidates are the full vocabulary's
/// ranking with every token outside it left out. The file is validated with one-line errors.
/// </summary>
public class DraftVocabularyTests
{
    private const int D = 16, V = 40;

    private static readonly FsCheck.Gen<(int Heads, int Size, bool Shared, int Seed)> Cases =
        from heads in Gen.Choose(1, 4)
        from size in Gen.Choose(3, V)
        from shared in Gen.Elements(true, false)
        from seed in Gen.Choose(0, 1 << 20)
        select (heads, size, shared, seed);

    [Fact]
    public void TheMostFrequentTokensComeFirstAndTiesGoToTheSmallerId()
    {
        long[] counts = [5, 9, 0, 9, 1, 5];
        Assert.Equal([1, 3, 0, 5], DraftVocabulary.MostFrequent(counts, 4).Ids);
        Assert.Equal([1, 3, 0, 5, 4, 2], DraftVocabulary.MostFrequent(counts, 6).Ids);
    }

    [Fact]
    public void RestrictingAnLmHeadKeepsTheChosenRowsBitForBit()
    {
        var vocabulary = new DraftVocabulary([3, 0, 7], 8);
        foreach (var head in new[] { WeightMatrix.FromF32(8, 4, Rand.Tensor(8, 4, 1).Data), WeightMatrix.FromF32(8, 4, Rand.Tensor(8, 4, 2).Data).As(DType.BF16) })
        {
            var restricted = vocabulary.Restrict(head);
            Assert.Equal((3, 4, head.Type), (restricted.Rows, restricted.Cols, restricted.Type));
            for (int i = 0; i < 3; i++)
                for (int c = 0; c < 4; c++)
                    Assert.Equal(BitConverter.SingleToInt32Bits(head[vocabulary.Ids[i], c]), BitConverter.SingleToInt32Bits(restricted[i, c]));
            Assert.Same(restricted, vocabulary.Restrict(head));   // copied once per LM head
        }
    }

    [Fact]
    public void MedusaCandidatesAreTheFullRankingCutToTheVocabulary()
    {
        var model = BaseModel(D, V);
        Properties.Check(Cases, c =>
        {
            var weights = MedusaWeights.Random(new MedusaConfig(c.Heads, 1, D, V, c.Shared), c.Seed);
            var h = Rand.Tensor(1, D, c.Seed + 1).Data;
            var vocabulary = RandomVocabulary(c.Size, c.Seed);
            using var full = Commit(new MedusaDrafter(weights), model, h);
            using var cut = Commit(new MedusaDrafter(weights, vocabulary), model, h);
            AssertCutRanking(full, cut, vocabulary, c);
        }, maxTest: 25);
    }

    [Fact]
    public void AmphistaCandidatesAreTheFullRankingCutToTheVocabulary()
    {
        var model = BaseModel(D, V);
        Properties.Check(Cases, c =>
        {
            var config = AmphistaConfig.ForBaseModel(model.Config, c.Heads, stages: 1, sharedLmHead: c.Shared);
            var weights = AmphistaWeights.Random(config, c.Seed);
            var hidden = Rand.Tensor(3, D, c.Seed + 1);
            var tokens = Tokens(4, V, c.Seed + 2);
            var vocabulary = RandomVocabulary(c.Size, c.Seed);
            using var full = FromScratch(new AmphistaDrafter(weights), model, hidden, tokens, 3);
            using var cut = FromScratch(new AmphistaDrafter(weights, vocabulary), model, hidden, tokens, 3);

            var fullLogits = full.Logits().Data;   // [K, V]
            var cutLogits = cut.Logits().Data;     // [K, N]
            for (int k = 0; k < c.Heads; k++)
                for (int i = 0; i < c.Size; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(fullLogits[k * V + vocabulary.Ids[i]]) == BitConverter.SingleToInt32Bits(cutLogits[k * c.Size + i]),
                        $"{c}: head {k}, token {vocabulary.Ids[i]}");
            AssertCutRanking(full, cut, vocabulary, c);
        }, maxTest: 25);
    }

    [Fact]
    public void ADrafterCountsTheLmHeadProductsOverItsVocabulary()
    {
        var config = AmphistaConfig.ForBaseModel(BaseModel(D, V).Config, 2, stages: 1);
        var weights = AmphistaWeights.Random(config, 0);
        long full = new AmphistaDrafter(weights).MultiplyAddsPerStep(1, 2);
        long cut = new AmphistaDrafter(weights, DraftVocabulary.First(10, V)).MultiplyAddsPerStep(1, 2);
        Assert.Equal(2L * (V - 10) * D, full - cut);
        var medusa = MedusaWeights.Random(new MedusaConfig(2, 1, D, V), 0);
        Assert.Equal(2L * (V - 10) * D,
            new MedusaDrafter(medusa).MultiplyAddsPerStep(1, 2) - new MedusaDrafter(medusa, DraftVocabulary.First(10, V)).MultiplyAddsPerStep(1, 2));
    }

    [Fact]
    public void ASavedVocabularyLoadsBackAndADirectoryWithoutOneHasNone()
    {
        string dir = Directory.CreateTempSubdirectory("amphista-vocab").FullName;
        try
        {
            Assert.Null(DraftVocabulary.Load(dir, V));
            new DraftVocabulary([4, 2, 9], V).Save(dir);
            Assert.Equal([4, 2, 9], DraftVocabulary.Load(dir, V)!.Ids);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("{\"size\": 2, \"ids\": [1, 40]}", "outside the vocabulary [0, 40)")]
    [InlineData("{\"size\": 2, \"ids\": [3, 3]}", "lists token 3 twice")]
    [InlineData("{\"size\": 3, \"ids\": [1, 2]}", "expected {\"size\": N, \"ids\": [N token ids]}")]
    [InlineData("{\"size\": 0, \"ids\": []}", "at least one token")]
    [InlineData("[1, 2", "not a draft vocabulary")]
    public void ABadVocabularyFileIsAOneLineErrorNamingIt(string json, string expected)
    {
        string dir = Directory.CreateTempSubdirectory("amphista-vocab").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, DraftVocabulary.FileName), json);
            var e = Assert.Throws<InputException>(() => DraftVocabulary.Load(dir, V));
            Assert.Contains(DraftVocabulary.FileName, e.Message);
            Assert.Contains(expected, e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Size distinct ids of [0, V) in a seeded order.</summary>
    public static DraftVocabulary RandomVocabulary(int size, int seed, int vocab = V)
    {
        int[] ids = [.. Enumerable.Range(0, vocab)];
        new Random(seed).Shuffle(ids);
        return new DraftVocabulary(ids[..size], vocab);
    }

    /// <summary>The cut session's top candidates are the full session's ranking of all V tokens with the others left out.</summary>
    private static void AssertCutRanking(IDraftSession full, IDraftSession cut, DraftVocabulary vocabulary, (int Heads, int Size, bool Shared, int Seed) c)
    {
        int topK = Math.Min(3, c.Size);
        int[][] ranking = [.. full.Draft(c.Heads, topK: V).Select(ids => ids.ToArray())];
        int[][] drafted = cut.Draft(c.Heads, topK);
        for (int k = 0; k < c.Heads; k++)
        {
            int[] expected = [.. ranking[k].Where(vocabulary.Ids.Contains).Take(topK)];
            Assert.True(expected.SequenceEqual(drafted[k]), $"{c}: head {k}: expected [{string.Join(',', expected)}], drafted [{string.Join(',', drafted[k])}]");
        }
    }
}
