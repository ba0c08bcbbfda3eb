using Amphista.Decoding.Drafting.Amphista;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using Amphista.Tests.Support;

namespace Amphista.Tests.Drafting.Amphista;

/// <summary>
/// The Staged Adaptation Layers are causal Llama layers with RoPE at the tokens' positions: their
/// outputs equal the decoder layers run by hand at positions 0..T-1, and differ from the same layers
/// run without rotation (all positions 0), so the positions really reach the attention.
/// </summary>
public class StagePositionTests
{
    [Fact]
    public void StagesApplyRopeAtTheTokenPositions()
    {
        var model = TestData.Tiny;
        var config = AmphistaConfig.ForBaseModel(model.Config, heads: 4, stages: 2);
        var weights = AmphistaWeights.Random(config, seed: 3);
        var rope = new RopeTable(config.HeadDim, config.MaxPositions, config.RopeTheta);
        var kernels = new CpuKernels(1);
        const int T = 9;
        var fused = Rand.Tensor(T, config.HiddenSize, seed: 11);                                 // [T, D]
        int[] positions = Enumerable.Range(0, T).ToArray();

        var stages = new StagedAdaptationLayers(kernels, weights.Stages, config.Shape, rope, config.MaxPositions, config.HiddenSize);
        var outputs = stages.Extend(fused, positions);

        var rotated = RunByHand(kernels, weights, config, rope, fused, positions);
        var unrotated = RunByHand(kernels, weights, config, rope, fused, new int[T]);
        Assertions.BitwiseEqual(rotated.Data, outputs[^1].Data, "last stage vs decoder layers at positions 0..T-1");
        Assert.NotEqual(unrotated.Data, outputs[^1].Data);
    }

    private static Tensor RunByHand(IKernels kernels, AmphistaWeights weights, AmphistaConfig config, RopeTable rope,
        Tensor fused, int[] positions)
    {
        var x = new Tensor(fused.Rows, fused.Cols, [.. fused.Data]);   // [T, D]
        foreach (var stage in weights.Stages)
            DecoderLayer.Forward(kernels, stage, config.Shape, rope, x, new LayerKvCache(kernels, config.MaxPositions, config.Shape.KvWidth),
                positions, 0, AttentionMask.Causal(0, x.Rows), LayerBuffers.For(kernels, stage));
        return x;
    }
}
