using Amphista.Decoding.Drafting;
using Amphista.Decoding.Drafting.Amphista;
using Amphista.Decoding.Drafting.Medusa;
using Amphista.Decoding.Tuning;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Tests.Tuning;

/// <summary>
/// plan prices a drafter's shape on any model: a drafter that fits is used as it is; one that does not
/// keeps its kind, heads, stages and block layers, its MLP, attention width and draft vocabulary in
/// proportion, in attention heads of the model's size, with bf16 random weights.
/// </summary>
public class DrafterSizingTests
{
    private static readonly Amphista.Model.LlamaConfig Demo = ModelPresets.Config("kjv-brown-14m"), Large = ModelPresets.Config("llama-68m");

    [Fact]
    public void ADrafterThatFitsIsUsedAsItIs()
    {
        var drafter = new AmphistaDrafter(AmphistaWeights.Random(AmphistaConfig.ForBaseModel(Demo, 2, 1), 0));
        var (fitted, resized) = DrafterSizing.Fit(drafter, Demo);
        Assert.Same(drafter, fitted);
        Assert.False(resized);
    }

    [Fact]
    public void AnAmphistaShapeIsCarriedToALargerModelInProportion()
    {
        var small = AmphistaConfig.ForBaseModel(Demo, heads: 3, stages: 1, blockLayers: 2) with
        {
            AdaptationIntermediateSize = 512,
            NumHeads = 2,
            NumKvHeads = 2,   // 128 of 384 wide: a third of the hidden size
        };
        var drafter = new AmphistaDrafter(AmphistaWeights.Random(small, 0), DraftVocabulary.First(1024, Demo.VocabSize));
        var (fitted, resized) = DrafterSizing.Fit(drafter, Large);
        var sized = Assert.IsType<AmphistaDrafter>(fitted);
        var c = sized.Weights.Config;
        Assert.True(resized);
        Assert.Equal((3, 1, 2), (c.Heads, c.Stages, c.BlockLayers));
        Assert.Equal((Large.HiddenSize, Large.VocabSize, Large.HeadDim), (c.HiddenSize, c.VocabSize, c.HeadDim));
        Assert.Equal((4, 4), (c.NumHeads, c.NumKvHeads));   // a third of 768, in heads of 64
        Assert.Equal(512 * 768 / 384, c.AdaptationIntermediateSize);
        Assert.Equal(1024 * 32000 / 4096, sized.Vocabulary!.Size);
        Assert.Equal(DType.BF16, sized.Weights.Fusion.Type);
    }

    [Fact]
    public void AMedusaShapeIsCarriedToALargerModel()
    {
        var drafter = new MedusaDrafter(MedusaWeights.Random(new MedusaConfig(5, 2, Demo.HiddenSize, Demo.VocabSize), 0));
        var sized = Assert.IsType<MedusaDrafter>(DrafterSizing.Fit(drafter, Large).Drafter);
        Assert.Equal(new MedusaConfig(5, 2, Large.HiddenSize, Large.VocabSize), sized.Weights.Config);
        Assert.Null(sized.Vocabulary);
    }
}
