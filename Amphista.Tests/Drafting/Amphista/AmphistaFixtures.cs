using Amphista.Decoding.Drafting.Amphista;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tests.Support;
using static Amphista.Tests.Drafting.Medusa.MedusaFixtures;

namespace Amphista.Tests.Drafting.Amphista;

/// <summary>Committing sequences to Amphista sessions, and bit-level comparison of Amphista weights.</summary>
internal static class AmphistaFixtures
{
    /// <summary>
    /// Commits rows first..first+count-1 of a sequence: hidden h [n, D] and tokens [n + 1], where
    /// token i + 1 follows position i.
    /// </summary>
    public static void CommitRange(AmphistaSession session, Tensor hidden, int[] tokens, int first, int count)
    {
        var rows = new Tensor(count, hidden.Cols, hidden.Data[(first * hidden.Cols)..((first + count) * hidden.Cols)]);   // [T, D]
        session.Commit(rows, Enumerable.Range(first, count).ToArray(), tokens[(first + 1)..(first + count + 1)]);
    }

    /// <summary>A session with rows 0..count-1 committed in one call.</summary>
    public static AmphistaSession FromScratch(AmphistaDrafter drafter, LlamaModel model, Tensor hidden, int[] tokens, int count)
    {
        var session = drafter.Begin(model);
        CommitRange(session, hidden, tokens, 0, count);
        return session;
    }

    public static int[] Tokens(int count, int vocab, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => rng.Next(vocab)).ToArray();
    }

    public static void AssertSameBits(AmphistaWeights e, AmphistaWeights a)
    {
        Assert.Equal(e.Config, a.Config);
        AssertBitEqual(e.Fusion, a.Fusion, "fusion");
        AssertLayersBitEqual(e.Stages, a.Stages, "stage");
        Assertions.BitwiseEqual(e.AutoEmbedding.HeadEmbeddings.Data, a.AutoEmbedding.HeadEmbeddings.Data, "P");
        AssertLayersBitEqual(e.AutoEmbedding.Layers, a.AutoEmbedding.Layers, "block layer");
        Assert.Equal(e.Heads.Length, a.Heads.Length);
        for (int k = 0; k < e.Heads.Length; k++)
        {
            var (eh, ah) = (e.Heads[k], a.Heads[k]);
            AssertBitEqual(eh.Linear, ah.Linear, $"head {k} W");
            Assertions.BitwiseEqual(eh.Bias, ah.Bias, $"head {k} b");
            Assertions.BitwiseEqual(eh.Norm, ah.Norm, $"head {k} norm");
            Assert.Equal(eh.LmHead is null, ah.LmHead is null);
            if (eh.LmHead is not null) AssertBitEqual(eh.LmHead, ah.LmHead!, $"head {k} LM head");
        }
    }

    private static void AssertLayersBitEqual(DecoderLayerWeights[] e, DecoderLayerWeights[] a, string what)
    {
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++)
        {
            Assertions.BitwiseEqual(e[i].AttentionNorm, a[i].AttentionNorm, $"{what} {i} attention norm");
            Assertions.BitwiseEqual(e[i].MlpNorm, a[i].MlpNorm, $"{what} {i} MLP norm");
            foreach (var (em, am) in e[i].Matrices.Zip(a[i].Matrices)) AssertBitEqual(em, am, $"{what} {i} matrix");
        }
    }
}
