namespace Amphista.Decoding.Sampling;

/// <summary>
/// ln x in double precision from additions, multiplications and divisions only, so every machine and
/// runtime computes the same bits (a C runtime's log may differ in its last bit, which would move a
/// sampled token). x = 2^e · m with m in [√2/2, √2), ln m = 2 atanh(s) = 2(s + s³/3 + s⁵/5 + …) with
/// s = (m − 1)/(m + 1), |s| ≤ 0.1716, summed by Horner to s²³ (the next term is below 2⁻⁶⁰ of the sum);
/// ln 2 in two parts (fdlibm's) so e · ln 2 keeps full precision. Within a few ulp of the true value.
/// Defined for positive normal x, all the sampler ever asks (its uniforms lie in [2⁻⁵³, 1 − 2⁻⁵³]).
/// </summary>
public static class FixedLog
{
    private const double Ln2Hi = 6.93147180369123816490e-01, Ln2Lo = 1.90821492927058770002e-10;
    private const double Sqrt2 = 1.41421356237309504880;
    private const int Terms = 12;   // 1, s², …, s²²: |s²|^12 ≈ 4e-19

    // 1/(2k + 1) for k = 0..Terms-1, each one IEEE division: the same bits everywhere.
    private static readonly double[] Inverse = [.. Enumerable.Range(0, Terms).Select(k => 1.0 / (2 * k + 1))];

    public static double Log(double x)
    {
        if (!(x > 0) || !double.IsNormal(x)) throw new ArgumentOutOfRangeException(nameof(x), x, "FixedLog takes positive normal numbers");
        long bits = BitConverter.DoubleToInt64Bits(x);
        int e = (int)((bits >> 52) & 0x7FF) - 1023;
        double m = BitConverter.Int64BitsToDouble((bits & 0x000F_FFFF_FFFF_FFFFL) | 0x3FF0_0000_0000_0000L);   // [1, 2)
        if (m > Sqrt2) { m *= 0.5; e++; }                                                                      // exact
        double s = (m - 1) / (m + 1), s2 = s * s;
        double series = Inverse[Terms - 1];
        for (int k = Terms - 2; k >= 0; k--) series = series * s2 + Inverse[k];
        double lnM = 2 * s * series;
        return e * Ln2Hi + (e * Ln2Lo + lnM);
    }
}
