using Amphista.Decoding.Drafting;
using Amphista.Decoding.Drafting.Medusa;
using Amphista.Model;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using Amphista.Tests.Support;

namespace Amphista.Tests.Drafting.Medusa;

/// <summary>Base models of chosen width and vocabulary, and bit-level comparison of Medusa weights.</summary>
internal static class MedusaFixtures
{
    /// <summary>A one-layer random Llama with hidden size d and vocabulary v (one head of width d).</summary>
    public static LlamaModel BaseModel(int d, int v, int seed = 7)
    {
        var config = new LlamaConfig(
            HiddenSize: d, IntermediateSize: 2 * d, NumLayers: 1, NumHeads: 1, NumKvHeads: 1, HeadDim: d,
            VocabSize: v, MaxPositions: 32, RmsNormEps: 1e-5f, RopeTheta: 10000.0, TieWordEmbeddings: false,
            BosTokenId: 0, EosTokenIds: [1]);
        return new LlamaModel(config, LlamaWeights.Random(config, seed), new CpuKernels(1));
    }

    /// <summary>Commits one hidden row h [1, D] at position 0 and returns the session.</summary>
    public static IDraftSession Commit(MedusaDrafter drafter, LlamaModel model, float[] h)
    {
        var session = drafter.Begin(model);
        session.Commit(new Tensor(1, h.Length, h), [0], [1]);
        return session;
    }

    public static void AssertBitEqual(MedusaWeights expected, MedusaWeights actual)
    {
        Assert.Equal(expected.Config, actual.Config);
        Assert.Equal(expected.Heads.Length, actual.Heads.Length);
        for (int k = 0; k < expected.Heads.Length; k++)
        {
            var (e, a) = (expected.Heads[k], actual.Heads[k]);
            Assert.Equal(e.Blocks.Length, a.Blocks.Length);
            for (int l = 0; l < e.Blocks.Length; l++)
            {
                AssertBitEqual(e.Blocks[l].Weight, a.Blocks[l].Weight, $"head {k} block {l} W");
                Assertions.BitwiseEqual(e.Blocks[l].Bias, a.Blocks[l].Bias, $"head {k} block {l} b");
            }
            Assert.Equal(e.LmHead is null, a.LmHead is null);
            if (e.LmHead is not null) AssertBitEqual(e.LmHead, a.LmHead!, $"head {k} LM head");
        }
    }

    public static void AssertBitEqual(WeightMatrix e, WeightMatrix a, string what)
    {
        Assert.True(e.Type == a.Type && e.Rows == a.Rows && e.Cols == a.Cols,
            $"{what}: {a.Type} [{a.Rows}, {a.Cols}], expected {e.Type} [{e.Rows}, {e.Cols}]");
        Assert.True(e.Bytes.SequenceEqual(a.Bytes), $"{what}: {e.Type} bits differ");
    }

    public static bool BitEqual(WeightMatrix a, WeightMatrix b) => a.Type == b.Type && a.Bytes.SequenceEqual(b.Bytes);
}
