using Amphista.Tensors.Kernels;

namespace Amphista.Tests.Kernels;

/// <summary>
/// The kernels' exp: at every vector width each lane has the bits of the scalar twin (so an element's
/// value never depends on the width or on where a row's vector body ends), it stays within 2 ulp of
/// MathF.Exp across the range activations meet, and its edges are as documented.
/// </summary>
public class FixedExpTests
{
    [Theory]
    [MemberData(nameof(Widths))]
    public void VectorLanesEqualTheScalarTwinBitForBit(int bits)
    {
        var width = new VectorWidth(bits);
        var rng = new Random(7);
        var x = new float[20_000 * 16 + 5];   // odd length: a scalar tail after the vector body
        for (int i = 0; i < x.Length; i++) x[i] = (float)((rng.NextDouble() - 0.5) * 200);
        var e = (float[])x.Clone();
        FixedExp.ExpShifted(e, 0f, width);
        var s = new float[x.Length];
        FixedExp.Silu(x, s, width);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(FixedExp.Exp(x[i])) == BitConverter.SingleToInt32Bits(e[i]),
                $"{width} bits, exp({x[i]:R}): lane {e[i]:R}, scalar {FixedExp.Exp(x[i]):R}");
            Assert.True(BitConverter.SingleToInt32Bits(FixedExp.Silu(x[i])) == BitConverter.SingleToInt32Bits(s[i]),
                $"{width} bits, silu({x[i]:R}): lane {s[i]:R}, scalar {FixedExp.Silu(x[i]):R}");
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

    [Theory]
    [MemberData(nameof(Widths))]
    public void EdgesAreZeroInfinityAndNaN(int bits)
    {
        Assert.Equal(0f, FixedExp.Exp(-100f));
        Assert.Equal(0f, FixedExp.Exp(float.NegativeInfinity));
        Assert.Equal(float.PositiveInfinity, FixedExp.Exp(89f));
        Assert.True(float.IsNaN(FixedExp.Exp(float.NaN)));
        Assert.Equal(1f, FixedExp.Exp(0f));
        float[] lanes = [float.NaN, float.NegativeInfinity, float.PositiveInfinity, -100f, 89f, 0f, 1f, -1f,
            2f, -2f, 3f, -3f, 4f, -4f, 5f, -5f];
        FixedExp.ExpShifted(lanes, 0f, new VectorWidth(bits));
        Assert.True(float.IsNaN(lanes[0]));
        Assert.Equal((0f, float.PositiveInfinity, 0f, float.PositiveInfinity, 1f), (lanes[1], lanes[2], lanes[3], lanes[4], lanes[5]));
    }

    public static TheoryData<int> Widths => [.. VectorWidth.All.Select(w => w.Bits)];
}
