using Amphista.Tensors;
using Amphista.Tests.Support;

namespace Amphista.Tests.Kernels;

/// <summary>
/// The fast CPU kernels compute exactly the bits of the plain-loop reference, at every vector width
/// and thread count: both sum in the one reduction order (SPEC §2) and take the same exponential.
/// Sizes are odd on purpose, so partial blocks of 16 and vector tails are exercised.
/// </summary>
public class FastKernelsMatchReferenceTests
{
    [Fact]
    public void MatMul() => Properties.Check(MatMulCase.Gen, c =>
    {
        var x = Rand.Tensor(c.T, c.D, c.Seed);
        var w = Rand.Matrix(c.O, c.D, c.Seed + 1, c.Type);
        var expected = new Tensor(c.T, c.O);
        Implementations.Reference.MatMul(x, w, expected);
        foreach (var fast in Implementations.Fast)
        {
            var actual = new Tensor(c.T, c.O);
            fast.MatMul(x, w, actual);
            Assertions.BitwiseEqual(expected.Span, actual.Span, $"matmul {c} on {Describe(fast)}");
        }
    });

    [Fact]
    public void RmsNorm() => Properties.Check(RowsCase.Gen, c =>
    {
        var x = Rand.Tensor(c.T, c.N, c.Seed, 3f);
        var weight = Rand.Tensor(1, c.N, c.Seed + 1).Data;
        Compare(c.ToString(), new Tensor(c.T, c.N), (k, y) => k.RmsNorm(x, weight, 1e-6f, y));
    });

    [Fact]
    public void Rope() => Properties.Check(AttentionCase.Gen, c =>
    {
        var table = new RopeTable(c.HeadDim, 64, 10000.0);
        int[] positions = Enumerable.Range(0, c.T).Select(t => (t * 7 + c.Seed) % 64).ToArray();
        var x = Rand.Tensor(c.T, c.Heads * c.HeadDim, c.Seed);
        Compare(c.ToString(), x, (k, y) =>
        {
            x.Data.CopyTo(y.Data, 0);
            k.Rope(y, positions, table);
        });
    });

    [Fact]
    public void SwiGlu() => Properties.Check(RowsCase.Gen, c =>
    {
        var gate = Rand.Tensor(c.T, c.N, c.Seed, 4f);
        var up = Rand.Tensor(c.T, c.N, c.Seed + 1);
        Compare(c.ToString(), new Tensor(c.T, c.N), (k, y) => k.SwiGlu(gate, up, y));
    });

    [Fact]
    public void Softmax() => Properties.Check(RowsCase.Gen, c =>
    {
        // Logits far above 88 overflow exp unless the maximum is subtracted first.
        var x = Rand.Tensor(c.T, c.N, c.Seed, 50f);
        for (int i = 0; i < x.Data.Length; i += 3) x.Data[i] += 200f;
        Compare(c.ToString(), x, (k, y) =>
        {
            x.Data.CopyTo(y.Data, 0);
            k.Softmax(y);
        });
    });

    [Fact]
    public void Attention() => Properties.Check(AttentionCase.Gen, c =>
    {
        var (q, kCache, vCache, mask) = c.Inputs();
        Compare(c.ToString(), new Tensor(c.T, q.Cols), (k, y) => k.Attention(q, kCache, vCache, mask, c.HeadDim, y));
    });

    [Fact]
    public void ArgmaxIsExactAndLowestIndexWinsTies() => Properties.Check(RowsCase.Gen, c =>
    {
        var x = Rand.Tensor(1, c.N, c.Seed).Data;
        var rng = new Random(c.Seed);
        // Plant ties with the maximum at random places.
        float max = x.Max();
        for (int i = 0; i < 3; i++) x[rng.Next(c.N)] = max;
        int expected = Implementations.Reference.Argmax(x);
        Assert.Equal(Array.IndexOf(x, max), expected);
        foreach (var fast in Implementations.Fast)
            Assert.Equal(expected, fast.Argmax(x));
    });

    [Fact]
    public void ArgmaxWithNaNFollowsTheReferenceLoop()
    {
        float[] x = [float.NaN, 3f, 5f, 5f, float.NaN, 1f];
        int expected = Implementations.Reference.Argmax(x);
        foreach (var fast in Implementations.Fast)
            Assert.Equal(expected, fast.Argmax(x));
    }

    private static void Compare(string what, Tensor shape, Action<Amphista.Tensors.Kernels.IKernels, Tensor> run)
    {
        var expected = new Tensor(shape.Rows, shape.Cols);
        run(Implementations.Reference, expected);
        foreach (var fast in Implementations.Fast)
        {
            var actual = new Tensor(shape.Rows, shape.Cols);
            run(fast, actual);
            Assertions.BitwiseEqual(expected.Span, actual.Span, $"{what} on {Describe(fast)}");
        }
    }

    private static string Describe(Amphista.Tensors.Kernels.IKernels kernels) =>
        kernels is Amphista.Tensors.Kernels.CpuKernels cpu ? $"{cpu.Width} bits, {cpu.Threads} threads" : kernels.GetType().Name;
}
