using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tests.Support;
using Amphista.Training;
using FsCheck.Fluent;
using Amphista.Training.Core;
using Amphista.Training.Layers;
using Amphista.Training.Optim;

namespace Amphista.Tests.Training;

/// <summary>
/// Same seed and data give bit-identical weights, whatever the thread count: a tiny drafter-shaped
/// model (frozen bf16 embedding → causal decoder layer → residual block → RMSNorm → frozen LM head →
/// cross-entropy on the next token) trained with clipping, AdamW and the schedule, on 1 thread and on
/// several. Also: the loss falls, and both product kernels' register tiles, edges and blocks compute
/// every element in one fixed order, bit for bit.
/// </summary>
public class DeterminismTests
{
    private const int V = 50, D = 32, F = 48, T = 12, Steps = 15;

    [Fact]
    public void Training_twice_with_the_same_seed_gives_bit_identical_weights_on_any_thread_count()
    {
        var (weights1, losses1) = Train(threads: 1);
        var (weights2, losses2) = Train(threads: Math.Max(2, Environment.ProcessorCount));
        Assert.Equal(losses1, losses2);
        foreach (var (name, bits) in weights1) Assertions.BitwiseEqual(bits, weights2[name], name);
        Assert.True(losses1[^1] < 0.8f * losses1[0], $"loss went from {losses1[0]} to {losses1[^1]}");
    }

    [Fact]
    public void Gemm_elements_equal_the_plain_dot_product_and_ignore_the_thread_count() => Properties.Check(DenseCase.Gen, c =>
    {
        int m = c.T * 5, n = c.O * 3, k = c.D * 4;   // enough rows and columns for full 4×4 tiles and edges
        var a = Rand.Tensor(m, k, c.Seed);
        var b = Rand.Tensor(n, k, c.Seed + 1);
        var serial = new float[m * n];   // [M, N]
        var parallel = new float[m * n]; // [M, N]
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = 1;
            Gemm.MultiplyTransposed(a.Data, b.Data, serial, m, n, k, accumulate: false);
            Parallelism.MaxThreads = 3;
            Gemm.MultiplyTransposed(a.Data, b.Data, parallel, m, n, k, accumulate: false);
        }
        finally { Parallelism.MaxThreads = saved; }
        Assertions.BitwiseEqual(serial, parallel, $"gemm threads {c}");
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                Assert.True(serial[i * n + j] == Simd.Dot(a.Row(i), b.Row(j)), $"gemm [{i}, {j}] of [{m}, {n}, {k}] differs from its dot product");
    }, maxTest: 15);

    [Fact]
    public void Outer_gemm_elements_equal_the_scalar_fused_chain_in_both_layouts_and_ignore_the_thread_count() => Properties.Check(DenseCase.Gen, c =>
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
            int saved = Parallelism.MaxThreads;
            try
            {
                foreach (int threads in new[] { 1, 3 })
                {
                    Parallelism.MaxThreads = threads;
                    var actual = start.Data.ToArray();
                    if (transposed) OuterGemm.MultiplyTransposedA(aT.Data, b.Data, actual, m, n, k);
                    else OuterGemm.Multiply(a.Data, b.Data, actual, m, n, k);
                    Assertions.BitwiseEqual(expected, actual, $"outer gemm [{m}, {n}, {k}] transposed {transposed} threads {threads}");
                }
            }
            finally { Parallelism.MaxThreads = saved; }
        }
    }, maxTest: 10);

    private static (Dictionary<string, float[]> Weights, float[] Losses) Train(int threads)
    {
        int saved = Parallelism.MaxThreads;
        Parallelism.MaxThreads = threads;
        try { return TrainTinyModel(); }
        finally { Parallelism.MaxThreads = saved; }
    }

    /// <summary>The tiny model's weights and per-step losses after Steps steps (also run at every vector width by <see cref="VectorWidthTests"/>).</summary>
    internal static (Dictionary<string, float[]> Weights, float[] Losses) TrainTinyModel()
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
            var (a, layerCache) = TrainableDecoderLayer.Forward(layer, rope, x, positions, mask);  // [T, D]
            var (u, blockCache) = ResidualBlock.Forward(a, blockW, blockB);                     // [T, D]
            var (h, normCache) = RmsNorm.Forward(u, norm, 1e-5f);                               // [T, D]
            var logits = lmHead.Forward(h);                                                      // [T, V]
            var dLogits = new Tensor(T, V);                                                      // [T, V]
            losses[step] = CrossEntropy.Compute(logits, targets, dLogits).Loss;

            var dh = new Tensor(T, D);
            lmHead.Backward(dLogits, dh);
            var du = new Tensor(T, D);
            RmsNorm.Backward(normCache, norm, dh, du);
            var da = new Tensor(T, D);
            ResidualBlock.Backward(blockCache, blockW, blockB, du, da);
            TrainableDecoderLayer.Backward(layer, rope, layerCache, da, new Tensor(T, D));
            parameters.ClipGradNorm(1.0);
            adam.Step(schedule.At(step));
        }
        return (parameters.ToDictionary(p => p.Name, p => p.Value.Data.ToArray()), losses);
    }
}
