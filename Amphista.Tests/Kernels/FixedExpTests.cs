using System.Runtime.Intrinsics;
using Amphista.Tensors.Kernels;

namespace Amphista.Tests.Kernels;

/// <summary>
/// The fast kernels' exp: every vector lane has the bits of the scalar twin (so an element's value
/// never depends on where a row's vector body ends), it stays within 2 ulp of MathF.Exp across the
/// range activations meet, and its edges are as documented.
/// </summary>
public class FixedExpTests
{
    [Fact]
    public void VectorLanesEqualTheScalarTwinBitForBit()
    {
        var rng = new Random(7);
        for (int round = 0; round < 20_000; round++)
        {
            var x = new float[16];
            for (int i = 0; i < 16; i++) x[i] = (float)((rng.NextDouble() - 0.5) * 200);
            var e = FixedExp.Exp(Vector512.Create(x));
            var s = FixedExp.Silu(Vector512.Create(x));
            for (int i = 0; i < 16; i++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(FixedExp.Exp(x[i])) == BitConverter.SingleToInt32Bits(e[i]),
                    $"exp({x[i]:R}): lane {e[i]:R}, scalar {FixedExp.Exp(x[i]):R}");
                Assert.True(BitConverter.SingleToInt32Bits(FixedExp.Silu(x[i])) == BitConverter.SingleToInt32Bits(s[i]),
                    $"silu({x[i]:R}): lane {s[i]:R}, scalar {FixedExp.Silu(x[i]):R}");
            }
        }
    }

    [Fact]
    public void WithinTwoUlpOfTheLibraryExp()
    {
        for (float x = -87f; x <= 88f; x += 0.01171875f)
        {
            float expected = MathF.Exp(x), actual = FixedExp.Exp(x);
            int ulps = Math.Abs(BitConverter.SingleToInt32Bits(expected) - BitConverter.SingleToInt32Bits(actual));
            Assert.True(ulps <= 2, $"exp({x:R}) = {actual:R}, MathF.Exp gives {expected:R} ({ulps} ulp apart)");
        }
    }

    [Fact]
    public void EdgesAreZeroInfinityAndNaN()
    {
        Assert.Equal(0f, FixedExp.Exp(-100f));
        Assert.Equal(0f, FixedExp.Exp(float.NegativeInfinity));
        Assert.Equal(float.PositiveInfinity, FixedExp.Exp(89f));
        Assert.True(float.IsNaN(FixedExp.Exp(float.NaN)));
        Assert.Equal(1f, FixedExp.Exp(0f));
        var lanes = FixedExp.Exp(Vector512.Create([float.NaN, float.NegativeInfinity, float.PositiveInfinity, -100f, 89f, 0f, 1f, -1f,
            2f, -2f, 3f, -3f, 4f, -4f, 5f, -5f]));
        Assert.True(float.IsNaN(lanes[0]));
        Assert.Equal((0f, float.PositiveInfinity, 0f, float.PositiveInfinity, 1f), (lanes[1], lanes[2], lanes[3], lanes[4], lanes[5]));
    }
}
