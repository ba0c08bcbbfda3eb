using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using Amphista.Tests.Support;
using Amphista.Training;
using FsCheck.Fluent;
using Amphista.Training.Core;
using Amphista.Training.Layers;
using Amphista.Training.Optim;

namespace Amphista.Tests.Training;

/// <summary>
/// Same seed and data give bit-identical weights: a tiny drafter-shaped model (frozen bf16 embedding →
/// causal decoder layer → residual block → RMSNorm → frozen LM head → cross-entropy on the next token)
/// trained twice with clipping, AdamW and the schedule, each time on fresh kernels. Also: the loss
/// falls, and the backward product's register tiles, edges and blocks compute every element in one
/// fixed order, bit for bit. (Thread counts: TrainerTests, whose batches run sequences at once.)
/// </summary>
public class DeterminismTests
{
    private const int V = 50, D = 32, F = 48, T = 12, Steps = 15;

    [Fact]
    public void Training_twice_with_the_same_seed_gives_bit_identical_weights()
    {
        var (weights1, losses1) = TrainTinyModel(new SequenceKernels());
        var (weights2, losses2) = TrainTinyModel(new SequenceKernels());
        Assert.Equal(losses1, losses2);
        foreach (var (name, bits) in weights1) Assertions.BitwiseEqual(bits, weights2[name], name);
        Assert.True(losses1[^1] < 0.8f * losses1[0], $"loss went from {losses1[0]} to {losses1[^1]}");
    }

    [Fact]
    public void Outer_gemm_elements_equal_the_scalar_fused_chain_in_both_layouts() => Properties.Check(DenseCase.Gen, c =>
    {
        int m = c.T * 5, n = c.O * 7, k = c.D * 9;   // up to 140 columns (64-wide tiles and edges), k past the 256 block
        var a = Rand.Tensor(m, k, c.Seed);           // [M, K]
        var aT = Rand.Tensor(k, m, c.Seed + 1);      // [K, M]
        var b = Rand.Tensor(k, n, c.Seed + 2);       // [K, N]
        var start = Rand.Tensor(m, n, c.Seed + 3);   // [M, N], the C that is added to
        foreach (bool transposed in new[] { false, true })
        {
            var expected = start.Data.ToArray();     // [M, N]
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                    for (int kk = 0; kk < k; kk++)
                        expected[i * n + j] = MathF.FusedMultiplyAdd(transposed ? aT[kk, i] : a[i, kk], b[kk, j], expected[i * n + j]);
            var actual = start.Data.ToArray();
            if (transposed) OuterGemm.MultiplyTransposedA(VectorWidth.Widest, aT.Data, b.Data, actual, m, n, k);
            else OuterGemm.Multiply(VectorWidth.Widest, a.Data, b.Data, actual, m, n, k);
            Assertions.BitwiseEqual(expected, actual, $"outer gemm [{m}, {n}, {k}] transposed {transposed}");
        }
    }, maxTest: 10);

    /// <summary>The tiny model's weights and per-step losses after Steps steps (also run at every vector width by <see cref="VectorWidthTests"/>).</summary>
    internal static (Dictionary<string, float[]> Weights, float[] Losses) TrainTinyModel(SequenceKernels K)
    {
        var shape = new LayerShape(Heads: 4, KvHeads: 2, HeadDim: 8, RmsNormEps: 1e-5f);
        var rope = new RopeTable(shape.HeadDim, T, 10000);
        var embedding = new FrozenLinear(new RandomWeights(1, DType.BF16).Matrix(V, D, 1f));   // [V, D]
        var lmHead = new FrozenLinear(new RandomWeights(2).Matrix(V, D, 0.3f));                // [V, D]
        var layer = DecoderLayerParameters.Create("stage.0.", D, F, shape, new RandomWeights(3), std: 0.1f);
        var blockW = Parameter.Zeros("head.0.linear.weight", D, D);   // [D, D]
        var blockB = Parameter.Constant("head.0.linear.bias", D, 0f); // [1, D]
        var norm = Parameter.Constant("head.0.norm.weight", D, 1f);   // [1, D]
        var parameters = new ParameterSet([.. layer.All, blockW, blockB, norm]);
        var adam = new AdamW(parameters, weightDecay: 0.01f);
        var schedule = new LearningRateSchedule(1e-2f, 3, Steps, 1e-4f);

        var rng = new Random(4);
        var tokens = Enumerable.Range(0, T).Select(_ => rng.Next(V)).ToArray();
        var targets = tokens.Skip(1).Append(CrossEntropy.IgnoreIndex).ToArray();
        var positions = Enumerable.Range(0, T).ToArray();
        var mask = AttentionMask.Causal(0, T);
        var losses = new float[Steps];
        for (int step = 0; step < Steps; step++)
        {
            parameters.ZeroGrads();
            var x = embedding.Lookup(tokens);                                                   // [T, D]
            var (a, layerSaved) = TrainableDecoderLayer.Forward(K, layer, rope, x, positions, mask);  // [T, D]
            var (u, blockSaved) = ResidualBlock.Forward(K, a, blockW, blockB);                     // [T, D]
            var (h, normSaved) = RmsNorm.Forward(K, u, norm, 1e-5f);                               // [T, D]
            var logits = lmHead.Forward(K, h);                                                     // [T, V]
            var dLogits = new Tensor(T, V);                                                      // [T, V]
            losses[step] = CrossEntropy.Compute(K, logits, targets, dLogits).Loss;

            var dh = new Tensor(T, D);
            lmHead.Backward(K, dLogits, dh);
            var du = new Tensor(T, D);
            RmsNorm.Backward(K, normSaved, norm, dh, du);
            var da = new Tensor(T, D);
            ResidualBlock.Backward(K, blockSaved, blockW, blockB, du, da);
            TrainableDecoderLayer.Backward(K, layer, rope, layerSaved, da, new Tensor(T, D));
            parameters.ClipGradNorm(1.0);
            adam.Step(schedule.At(step));
        }
        return (parameters.ToDictionary(p => p.Name, p => p.Value.Data.ToArray()), losses);
    }
}
