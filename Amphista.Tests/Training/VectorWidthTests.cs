using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using Amphista.Tests.Support;
using Amphista.Training;
using Amphista.Training.Core;

namespace Amphista.Tests.Training;

/// <summary>
/// The trainer's primitives at every vector width (<see cref="SequenceKernels"/>): its Dot is exactly
/// <see cref="ReductionOrder.Dot"/>, the inference kernels' order (whose forward products are tested
/// against the reference elsewhere); OuterGemm's fused chains and MultiplyAdd give the same bits at
/// every width; so a short training run ends in the same weights at every width. Shapes are odd (not
/// multiples of 4 or 16, K below 16 too) so that tiles, edges, blocks and the partial sums' tails all take part.
/// </summary>
public class VectorWidthTests
{
    public static TheoryData<int> Widths => [.. VectorWidth.All.Select(w => w.Bits)];

    // M × N × K: single elements, K below one block of 16, past OuterGemm's 64 × 64 block and 256-deep K block.
    private static readonly (int M, int N, int K)[] Shapes = [(1, 1, 1), (3, 5, 7), (7, 13, 15), (5, 3, 17), (67, 37, 33), (9, 71, 131), (70, 35, 263)];

    [Theory]
    [MemberData(nameof(Widths))]
    public void Dot_is_the_reduction_order_and_multiply_add_the_scalar_fma_at_every_width(int bits)
    {
        var kernels = new SequenceKernels(new VectorWidth(bits));
        foreach (int n in new[] { 0, 1, 5, 15, 16, 17, 31, 33, 63, 64, 100, 257 })
        {
            var a = new RandomWeights(n).Vector(n, 1f);       // [n]
            var b = new RandomWeights(n + 1).Vector(n, 1f);   // [n]
            Assert.True(Bits(ReductionOrder.Dot(a, b)) == Bits(kernels.Dot(a, b)), $"dot of length {n} at {bits} bits");
            var expected = new RandomWeights(n + 2).Vector(n, 1f);   // [n]
            var actual = expected.ToArray();
            for (int i = 0; i < n; i++) expected[i] = MathF.FusedMultiplyAdd(0.37f, b[i], expected[i]);
            kernels.MultiplyAdd(actual, 0.37f, b);
            Assertions.BitwiseEqual(expected, actual, $"multiply-add of length {n} at {bits} bits");
        }
    }

    [Fact]
    public void Outer_gemm_gives_the_same_bits_at_every_width_in_both_layouts()
    {
        foreach (var (m, n, k) in Shapes)
            foreach (bool transposed in new[] { false, true })
            {
                var a = transposed ? Rand.Tensor(k, m, m + k) : Rand.Tensor(m, k, m + k);   // [K, M] or [M, K]
                var b = Rand.Tensor(k, n, n + k);                                           // [K, N]
                var start = Rand.Tensor(m, n, m + n);                                       // [M, N]
                float[] At(VectorWidth width)
                {
                    var c = start.Data.ToArray();   // [M, N]
                    if (transposed) OuterGemm.MultiplyTransposedA(width, a.Data, b.Data, c, m, n, k);
                    else OuterGemm.Multiply(width, a.Data, b.Data, c, m, n, k);
                    return c;
                }
                var scalar = At(VectorWidth.Scalar);
                foreach (var width in VectorWidth.All.Where(w => w != VectorWidth.Scalar))
                    Assertions.BitwiseEqual(scalar, At(width), $"outer gemm [{m}, {n}, {k}] transposed {transposed} at {width} bits");
            }
    }

    [Fact]
    public void Training_gives_bit_identical_weights_at_every_width()
    {
        var (weights, losses) = DeterminismTests.TrainTinyModel(new SequenceKernels(VectorWidth.Scalar));
        foreach (var width in VectorWidth.All.Where(w => w != VectorWidth.Scalar))
        {
            var (weightsAt, lossesAt) = DeterminismTests.TrainTinyModel(new SequenceKernels(width));
            Assert.Equal(losses, lossesAt);
            foreach (var (name, w) in weights) Assertions.BitwiseEqual(w, weightsAt[name], $"{name} at {width} bits");
        }
    }

    private static int Bits(float x) => BitConverter.SingleToInt32Bits(x);
}
