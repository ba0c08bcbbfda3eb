using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using Amphista.Tests.Support;
using Amphista.Training;
using Amphista.Training.Core;

namespace Amphista.Tests.Training;

/// <summary>
/// The trainer's products at every vector width (<see cref="Simd.Width"/>): Simd.Dot and every Gemm
/// element are exactly <see cref="ReductionOrder.Dot"/>, the inference kernels' order; OuterGemm's
/// fused chains and Simd.MultiplyAdd give the same bits at every width; so a short training run
/// ends in the same weights at every width. Shapes are odd (not multiples of 4 or 16, K below 16
/// too) so that tiles, edges, blocks and the partial sums' tails all take part.
/// </summary>
public class VectorWidthTests
{
    public static TheoryData<int> Widths => [.. VectorWidth.All.Select(w => w.Bits)];

    // M × N × K: single elements, K below one block of 16, past the 64 × 32 block of Gemm and the 64-column, 256-deep block of OuterGemm.
    private static readonly (int M, int N, int K)[] Shapes = [(1, 1, 1), (3, 5, 7), (7, 13, 15), (5, 3, 17), (67, 37, 33), (9, 71, 131), (70, 35, 263)];

    [Theory]
    [MemberData(nameof(Widths))]
    public void Simd_dot_is_the_reduction_order_and_multiply_add_the_scalar_fma_at_every_width(int bits) => AtWidth(bits, () =>
    {
        foreach (int n in new[] { 0, 1, 5, 15, 16, 17, 31, 33, 63, 64, 100, 257 })
        {
            var a = new RandomWeights(n).Vector(n, 1f);       // [n]
            var b = new RandomWeights(n + 1).Vector(n, 1f);   // [n]
            Assert.True(Bits(ReductionOrder.Dot(a, b)) == Bits(Simd.Dot(a, b)), $"dot of length {n} at {bits} bits");
            var expected = new RandomWeights(n + 2).Vector(n, 1f);   // [n]
            var actual = expected.ToArray();
            for (int i = 0; i < n; i++) expected[i] = MathF.FusedMultiplyAdd(0.37f, b[i], expected[i]);
            Simd.MultiplyAdd(actual, 0.37f, b);
            Assertions.BitwiseEqual(expected, actual, $"multiply-add of length {n} at {bits} bits");
        }
    });

    [Theory]
    [MemberData(nameof(Widths))]
    public void Gemm_elements_are_the_reduction_order_dot_at_every_width_with_and_without_accumulate(int bits) => AtWidth(bits, () =>
    {
        foreach (var (m, n, k) in Shapes)
        {
            var a = Rand.Tensor(m, k, m + k);       // [M, K]
            var b = Rand.Tensor(n, k, n + k + 1);   // [N, K]
            var start = Rand.Tensor(m, n, m + n);   // [M, N], the C that accumulating adds to
            var product = new float[m * n];         // [M, N]
            var sum = start.Data.ToArray();         // [M, N]
            Gemm.MultiplyTransposed(a.Data, b.Data, product, m, n, k, accumulate: false);
            Gemm.MultiplyTransposed(a.Data, b.Data, sum, m, n, k, accumulate: true);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    float dot = ReductionOrder.Dot(a.Row(i), b.Row(j));
                    Assert.True(Bits(dot) == Bits(product[i * n + j]), $"gemm [{i}, {j}] of [{m}, {n}, {k}] at {bits} bits");
                    Assert.True(Bits(start[i, j] + dot) == Bits(sum[i * n + j]), $"accumulated gemm [{i}, {j}] of [{m}, {n}, {k}] at {bits} bits");
                }
        }
    });

    [Fact]
    public void Outer_gemm_gives_the_same_bits_at_every_width_in_both_layouts()
    {
        foreach (var (m, n, k) in Shapes)
            foreach (bool transposed in new[] { false, true })
            {
                var a = transposed ? Rand.Tensor(k, m, m + k) : Rand.Tensor(m, k, m + k);   // [K, M] or [M, K]
                var b = Rand.Tensor(k, n, n + k);                                           // [K, N]
                var start = Rand.Tensor(m, n, m + n);                                       // [M, N]
                float[] At(VectorWidth width) => AtWidth(width.Bits, () =>
                {
                    var c = start.Data.ToArray();   // [M, N]
                    if (transposed) OuterGemm.MultiplyTransposedA(a.Data, b.Data, c, m, n, k);
                    else OuterGemm.Multiply(a.Data, b.Data, c, m, n, k);
                    return c;
                });
                var scalar = At(VectorWidth.Scalar);
                foreach (var width in VectorWidth.All.Where(w => w != VectorWidth.Scalar))
                    Assertions.BitwiseEqual(scalar, At(width), $"outer gemm [{m}, {n}, {k}] transposed {transposed} at {width} bits");
            }
    }

    [Fact]
    public void Training_gives_bit_identical_weights_at_every_width()
    {
        var (weights, losses) = AtWidth(VectorWidth.Scalar.Bits, DeterminismTests.TrainTinyModel);
        foreach (var width in VectorWidth.All.Where(w => w != VectorWidth.Scalar))
        {
            var (weightsAt, lossesAt) = AtWidth(width.Bits, DeterminismTests.TrainTinyModel);
            Assert.Equal(losses, lossesAt);
            foreach (var (name, w) in weights) Assertions.BitwiseEqual(w, weightsAt[name], $"{name} at {width} bits");
        }
    }

    private static int Bits(float x) => BitConverter.SingleToInt32Bits(x);

    private static void AtWidth(int bits, Action body) => AtWidth(bits, () => { body(); return 0; });

    private static T AtWidth<T>(int bits, Func<T> body)
    {
        var saved = Simd.Width;
        Simd.Width = new VectorWidth(bits);
        try { return body(); }
        finally { Simd.Width = saved; }
    }
}
