using Amphista.Decoding.Drafting.Medusa;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using Amphista.Tests.Support;
using Amphista.Training;
using Amphista.Training.Core;
using Amphista.Training.Layers;

namespace Amphista.Tests.Training;

/// <summary>
/// The training decoder layer computes what inference computes (Amphista.Model.Llama.DecoderLayer with
/// the reference kernels, within 1e-5 relative to 1 + |expected|: the two sum dot products in different
/// orders), and its backward matches finite differences for the input and every parameter.
/// </summary>
public class DecoderLayerTests
{
    private static readonly SequenceKernels K = new();

    [Fact]
    public void Forward_equals_the_inference_decoder_layer() => Properties.Check(LayerCase.Gen, c =>
    {
        var p = c.Parameters();
        var x = Rand.Tensor(c.T, c.D, c.Seed + 1);   // [T, D]
        var (y, _) = TrainableDecoderLayer.Forward(K, p, c.Rope(), x, c.Positions(), c.Mask());

        var expected = new Tensor(c.T, c.D, x.Data.ToArray());   // [T, D], updated in place
        var kernels = new ReferenceKernels();
        var cache = new LayerKvCache(kernels, c.T, c.Shape().KvWidth);
        var weights = p.ToInferenceWeights();
        DecoderLayer.Forward(kernels, weights, c.Shape(), c.Rope(), expected, cache, c.Positions(), 0, c.Mask(), LayerBuffers.For(kernels, weights));
        Assertions.Close(expected, y, 1e-5, $"decoder layer {c}");
    });

    [Fact]
    public void Gradients_match_finite_differences_for_input_and_every_parameter() => Properties.Check(LayerCase.Gen, c =>
    {
        var p = c.Parameters();
        var x = Rand.Tensor(c.T, c.D, c.Seed + 1);
        var r = Rand.Tensor(c.T, c.D, c.Seed + 2);
        var dx = new Tensor(c.T, c.D);
        var (_, cache) = TrainableDecoderLayer.Forward(K, p, c.Rope(), x, c.Positions(), c.Mask());
        TrainableDecoderLayer.Backward(K, p, c.Rope(), cache, r, dx);
        GradCheck.Check($"decoder layer {c}", () => GradCheck.Project(TrainableDecoderLayer.Forward(K, p, c.Rope(), x, c.Positions(), c.Mask()).Y, r),
            [GradCheck.Of("x", x, dx), .. p.All.Select(GradCheck.Of)], c.Seed, maxPerProbe: 6);
    }, maxTest: 20);

    [Fact]
    public void Residual_block_and_frozen_head_equal_the_inference_Medusa_head() => Properties.Check(DenseCase.Gen, c =>
    {
        var w = new Parameter("w", Rand.Tensor(c.D, c.D, c.Seed + 1, 0.5f), true);
        var b = new Parameter("b", Rand.Tensor(1, c.D, c.Seed + 2), false);
        var lmHead = Rand.Matrix(c.O, c.D, c.Seed + 3, DType.BF16);
        var h = Rand.Tensor(1, c.D, c.Seed);
        var logits = new FrozenLinear(lmHead).Forward(K, ResidualBlock.Forward(K, h, w, b).Y);

        var head = new MedusaHead([new ResBlock(w.ToWeightMatrix(), b.Value.Data.ToArray())], null);
        var kernels = new ReferenceKernels();
        var buffers = new MedusaHeadBuffers(kernels, c.D, c.O);
        head.Forward(kernels, h, lmHead, buffers);
        Assertions.Close(buffers.Logits, logits, 1e-5, $"medusa head {c}");
    });
}
