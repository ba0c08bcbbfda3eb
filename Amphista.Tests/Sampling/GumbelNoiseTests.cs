using Amphista.Decoding.Sampling;
using Amphista.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace Amphista.Tests.Sampling;

/// <summary>The noise's arithmetic: the logarithm it is built on, and the bounds the sampler skips tokens by.</summary>
public class GumbelNoiseTests
{
    /// <summary>Within 4 ulp of the runtime's log over the sampler's whole range and beyond.</summary>
    [Fact]
    public void FixedLogIsWithinFourUlpOfTheRuntimesLog() => Properties.Check(
        from mantissa in ArbMap.Default.GeneratorFor<ulong>()
        from exponent in Gen.Choose(-1000, 1000)
        select Math.ScaleB(1 + (mantissa >> 12) / (double)(1UL << 52), exponent),
        x =>
        {
            double exact = Math.Log(x), fixedLog = FixedLog.Log(x);
            long ulps = Math.Abs(BitConverter.DoubleToInt64Bits(fixedLog) - BitConverter.DoubleToInt64Bits(exact));
            Assert.True(ulps <= 4, $"FixedLog({x:R}) = {fixedLog:R}, Math.Log = {exact:R}: {ulps} ulp apart");
        }, maxTest: 20_000);

    [Theory]
    [InlineData(1.0, 0.0)]
    [InlineData(2.0, 0.69314718055994529)]
    [InlineData(0.5, -0.69314718055994529)]
    public void FixedLogIsExactWhereTheAnswerIs(double x, double expected) => Assert.Equal(expected, FixedLog.Log(x));

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void FixedLogRefusesWhatTheSamplerNeverAsks(double x) => Assert.Throws<ArgumentOutOfRangeException>(() => FixedLog.Log(x));

    [Fact]
    public void UpperBoundBoundsTheNoise() => Properties.Check(
        from bits in Gen.OneOf(ArbMap.Default.GeneratorFor<ulong>(),
            Gen.Choose(0, 255).Select(b => ((ulong)b << 56) - 1), Gen.Choose(0, 255).Select(b => (ulong)b << 56),
            Gen.Elements(0UL, ulong.MaxValue))
        select bits,
        bits => Assert.True(GumbelNoise.Gumbel(bits) <= GumbelNoise.UpperBound(bits),
            $"bits {bits:X16}: noise {GumbelNoise.Gumbel(bits):R} above its bound {GumbelNoise.UpperBound(bits):R}"),
        maxTest: 5_000);

    /// <summary>
    /// The noise is SPEC §3a's, written out again here: SplitMix64's mixing of (seed, position, id), the
    /// uniform from the top 52 bits, then −ln(−ln u) (the runtime's log, so within rounding).
    /// </summary>
    [Fact]
    public void NoiseIsTheSpecsFunctionOfSeedPositionAndId() => Properties.Check(
        from seed in ArbMap.Default.GeneratorFor<ulong>()
        from position in Gen.Choose(0, 1 << 20)
        from id in Gen.Choose(0, 1 << 17)
        select (seed, position, id),
        k =>
        {
            static ulong Mix(ulong z)
            {
                z += 0x9E3779B97F4A7C15UL;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                return z ^ (z >> 31);
            }
            ulong h = Mix(Mix(Mix(k.seed) + (ulong)k.position) + (ulong)k.id);
            double u = ((h >> 12) + 0.5) / 4503599627370496.0;   // 2^52
            double expected = -Math.Log(-Math.Log(u)), actual = GumbelNoise.Gumbel(k.seed, k.position, k.id);
            Assert.True(Math.Abs(actual - expected) <= 1e-12 * (1 + Math.Abs(expected)), $"{k}: noise {actual:R}, the spec gives {expected:R}");
        }, maxTest: 2_000);
}
