using Amphista.Decoding.Drafting.Amphista;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using Amphista.Tests.Support;
using FsCheck.Fluent;
using static Amphista.Tests.Drafting.Amphista.AmphistaFixtures;
using static Amphista.Tests.Drafting.Medusa.MedusaFixtures;

namespace Amphista.Tests.Drafting.Amphista;

/// <summary>
/// Which way information flows: the Auto-embedding Block is bi-directional (the last head's input
/// reaches the first head's output), the Staged Adaptation Layers are causal (a later position
/// never touches an earlier position's outputs, bit for bit), and "no RoPE" (position 0) is exact.
/// </summary>
public class DirectionalityTests
{
    private const int D = 16, V = 40;

    [Fact]
    public void TheLastHeadsEmbeddingChangesTheFirstHeadsLogits()
    {
        var model = BaseModel(D, V);
        var config = AmphistaConfig.ForBaseModel(model.Config, heads: 4, stages: 2);
        var weights = AmphistaWeights.Random(config, seed: 3);
        var p = weights.AutoEmbedding.HeadEmbeddings;   // [K, D]
        var moved = new Tensor(p.Rows, p.Cols, [.. p.Data]);
        moved[config.Heads - 1, 0] += 0.5f;
        var changed = weights with { AutoEmbedding = weights.AutoEmbedding with { HeadEmbeddings = moved } };
        var hidden = Rand.Tensor(5, D, 1);
        int[] tokens = Tokens(6, V, 2);

        var before = FromScratch(new AmphistaDrafter(weights), model, hidden, tokens, 5).Logits();
        var after = FromScratch(new AmphistaDrafter(changed), model, hidden, tokens, 5).Logits();

        Assert.False(before.Row(0).SequenceEqual(after.Row(0)), "head 1 did not see head K's embedding");
    }

    [Fact]
    public void TheLastStageReachesHeadsThatReadTheFirst()
    {
        var model = BaseModel(D, V);
        var config = AmphistaConfig.ForBaseModel(model.Config, heads: 4, stages: 2);
        var weights = AmphistaWeights.Random(config, seed: 4);
        var block = new AutoEmbeddingBlock(model.Kernels, weights.AutoEmbedding, config, new RopeTable(config.HeadDim, 1, 10000));
        var stageOutputs = Rand.Tensor(2, D, 5);   // [S, D]
        var lastStageMoved = new Tensor(2, D, [.. stageOutputs.Data]);
        lastStageMoved[1, 3] -= 0.25f;
        Assert.Equal([0, 0, 1, 1], Enumerable.Range(0, 4).Select(config.StageOf));

        float[] before = block.Forward(stageOutputs).Row(0).ToArray();    // [D] head 1's u
        float[] after = block.Forward(lastStageMoved).Row(0).ToArray();   // [D]

        Assert.False(before.AsSpan().SequenceEqual(after), "head 1 (stage 1) did not see stage 2, read only by heads 3 and 4");
    }

    [Fact]
    public void AStageOutputDependsOnlyOnItsOwnAndEarlierPositions()
    {
        var gen =
            from n in Gen.Choose(2, 10)
            from changed in Gen.Choose(0, n - 1)
            from stages in Gen.Choose(1, 3)
            from seed in Gen.Choose(0, 1 << 20)
            select (N: n, Changed: changed, Stages: stages, Seed: seed);
        var model = BaseModel(D, V);
        Properties.Check(gen, c =>
        {
            var config = AmphistaConfig.ForBaseModel(model.Config, heads: 3, stages: c.Stages);
            var weights = AmphistaWeights.Random(config, c.Seed);
            var fused = Rand.Tensor(c.N, D, c.Seed + 1);                          // [T, D]
            var edited = new Tensor(c.N, D, [.. fused.Data]);
            edited[c.Changed, 0] += 1f;

            var before = Stages(weights, model).Extend(fused, Enumerable.Range(0, c.N).ToArray());
            var after = Stages(weights, model).Extend(edited, Enumerable.Range(0, c.N).ToArray());

            for (int s = 0; s < c.Stages; s++)
            {
                for (int i = 0; i < c.Changed; i++)
                    Assertions.BitwiseEqual(before[s].Row(i), after[s].Row(i), $"stage {s + 1} position {i} after changing {c.Changed}");
                Assert.False(before[s].Row(c.Changed).SequenceEqual(after[s].Row(c.Changed)), $"stage {s + 1} ignored its own input");
            }
        }, maxTest: 20);
    }

    [Fact]
    public void RotationAtPositionZeroIsTheIdentity()
    {
        var rope = new RopeTable(headDim: 8, maxPositions: 1, theta: 10000);
        var x = Rand.Tensor(5, 24, 9, scale: 3f);   // [K, H·Dh]
        foreach (IKernels kernels in new IKernels[] { new ReferenceKernels(), new CpuKernels(2) })
        {
            var rotated = new Tensor(5, 24, [.. x.Data]);
            kernels.Rope(rotated, new int[5], rope);
            Assertions.BitwiseEqual(x.Data, rotated.Data, kernels.GetType().Name);
        }
    }

    private static StagedAdaptationLayers Stages(AmphistaWeights w, LlamaModel model) =>
        new(model.Kernels, w.Stages, w.Config.Shape, new RopeTable(w.Config.HeadDim, w.Config.MaxPositions, w.Config.RopeTheta),
            model.Config.MaxPositions, w.Config.HiddenSize);
}
