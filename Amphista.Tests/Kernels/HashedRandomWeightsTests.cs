using Amphista.Tensors;
using Amphista.Tests.Support;

namespace Amphista.Tests.Kernels;

/// <summary>
/// Hashed random weights: an element's value depends on (seed, tensor number, index) only, so the
/// thread count, and with it where the vector path hands over to the scalar tail, never changes a bit.
/// </summary>
public sealed class HashedRandomWeightsTests
{
    /// <summary>Shapes whose rows split between threads at offsets that are not multiples of 16 or 32.</summary>
    public static TheoryData<int, int, int> OddShapes => new()
    {
        { 7, 37, 2 }, { 7, 37, 3 }, { 5, 100, 4 }, { 3, 1001, 2 }, { 1, 19, 3 },
    };

    [Theory]
    [MemberData(nameof(OddShapes))]
    public void Bf16_matrices_are_identical_whatever_the_thread_count(int rows, int cols, int threads)
    {
        var one = new HashedRandomWeights(9, DType.BF16, threads: 1).Matrix(rows, cols, 0.02f).BF16.ToArray();
        var many = new HashedRandomWeights(9, DType.BF16, threads).Matrix(rows, cols, 0.02f).BF16.ToArray();
        int first = Enumerable.Range(0, one.Length).FirstOrDefault(i => one[i] != many[i], -1);
        Assert.True(first < 0, $"[{rows}, {cols}] element {first} differs between 1 and {threads} threads");
    }

    [Theory]
    [MemberData(nameof(OddShapes))]
    public void F32_matrices_are_identical_whatever_the_thread_count(int rows, int cols, int threads)
    {
        var one = new HashedRandomWeights(9, DType.F32, threads: 1).Matrix(rows, cols, 0.02f).F32.ToArray();
        var many = new HashedRandomWeights(9, DType.F32, threads).Matrix(rows, cols, 0.02f).F32.ToArray();
        Assertions.BitwiseEqual(one, many, $"[{rows}, {cols}] at 1 and {threads} threads");
    }

    [Theory]
    [MemberData(nameof(OddShapes))]
    public void Bf16_values_are_the_f32_values_rounded_to_nearest_even(int rows, int cols, int threads)
    {
        var f32 = new HashedRandomWeights(4, DType.F32, threads).Matrix(rows, cols, 0.3f).F32.ToArray();
        var bf16 = new HashedRandomWeights(4, DType.BF16, threads).Matrix(rows, cols, 0.3f).BF16.ToArray();
        int first = Enumerable.Range(0, f32.Length).FirstOrDefault(i => DTypes.SingleToBF16(f32[i]) != bf16[i], -1);
        Assert.True(first < 0, $"[{rows}, {cols}] element {first}: f32 {f32[Math.Max(first, 0)]:R} rounds to " +
            $"{DTypes.SingleToBF16(f32[Math.Max(first, 0)]):X4}, bf16 build holds {bf16[Math.Max(first, 0)]:X4}");
    }

    [Fact]
    public void Each_tensor_drawn_gets_its_own_values()
    {
        var rng = new HashedRandomWeights(1, DType.F32, threads: 1);
        var a = rng.Matrix(4, 64, 1f).F32.ToArray();
        var b = rng.Matrix(4, 64, 1f).F32.ToArray();
        Assert.False(a.AsSpan().SequenceEqual(b), "two matrices drawn in turn are equal");
        var gains = rng.Gains(37);
        Assert.All(gains, g => Assert.InRange(g, 0.8f, 1.2f));
        Assert.False(gains.Distinct().Count() < 30, $"only {gains.Distinct().Count()} distinct gains of 37");
    }
}
