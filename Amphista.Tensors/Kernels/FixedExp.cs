using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Amphista.Tensors.Kernels;

/// <summary>
/// e^x for the fast kernels, sixteen lanes at a time, with a scalar twin that performs the same float
/// operations in the same order (multiplies, fused multiply-adds, round-to-nearest-even): an element
/// gets the same bits whether it falls in the vector body or the tail, so results never depend on a
/// row's length or alignment (batch invariance). Cephes' expf: x = k·ln2 + r with |r| ≤ ln2/2 (ln2 in
/// two parts), e^r by a degree-7 polynomial, times 2^k built in the exponent bits. Within 2 ulp of
/// MathF.Exp; 0 below −87.34 (where e^x leaves the normal range) and +∞ above 88.37 (where 2^k would
/// overflow; e^x is then within a factor 1.5 of float.MaxValue, which activations never meet); NaN stays NaN.
/// </summary>
public static class FixedExp
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f, Ln2Lo = -2.12194440e-4f;
    private const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f;
    private const float P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;
    private const float Lowest = -87.33654f, Highest = 88.37f;   // 2^k stays a normal float: -126 ≤ k ≤ 127

    /// <summary>x[i] = e^(x[i] − shift), in place.</summary>
    public static void ExpShifted(Span<float> x, float shift)
    {
        int i = 0;
        var s = Vector512.Create(shift);
        ref float p = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
        for (; i <= x.Length - 16; i += 16)
            Exp(Vector512.LoadUnsafe(ref p, (nuint)i) - s).StoreUnsafe(ref p, (nuint)i);
        for (; i < x.Length; i++) x[i] = Exp(x[i] - shift);
    }

    /// <summary>SiLU(g) = g / (1 + e^−g), lanes and tail alike.</summary>
    public static Vector512<float> Silu(Vector512<float> g) => g / (Vector512<float>.One + Exp(-g));

    public static float Silu(float g) => g / (1f + Exp(-g));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        var k = Vector512.Round(x * Vector512.Create(Log2E));
        var r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2Hi), x);
        r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2Lo), r);
        var y = Vector512.FusedMultiplyAdd(Vector512.Create(P0), r, Vector512.Create(P1));
        y = Vector512.FusedMultiplyAdd(y, r, Vector512.Create(P2));
        y = Vector512.FusedMultiplyAdd(y, r, Vector512.Create(P3));
        y = Vector512.FusedMultiplyAdd(y, r, Vector512.Create(P4));
        y = Vector512.FusedMultiplyAdd(y, r, Vector512.Create(P5));
        y = Vector512.FusedMultiplyAdd(y, r * r, r) + Vector512<float>.One;
        var scale = Vector512.ShiftLeft(Vector512.ConvertToInt32(k) + Vector512.Create(127), 23).AsSingle();
        var e = y * scale;
        e = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(Lowest)), Vector512<float>.Zero, e);
        e = Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(Highest)), Vector512.Create(float.PositiveInfinity), e);
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), e, x);   // NaN stays NaN
    }

    public static float Exp(float x)
    {
        if (float.IsNaN(x)) return x;
        if (x < Lowest) return 0f;
        if (x > Highest) return float.PositiveInfinity;
        float k = MathF.Round(x * Log2E);
        float r = MathF.FusedMultiplyAdd(k, -Ln2Hi, x);
        r = MathF.FusedMultiplyAdd(k, -Ln2Lo, r);
        float y = MathF.FusedMultiplyAdd(P0, r, P1);
        y = MathF.FusedMultiplyAdd(y, r, P2);
        y = MathF.FusedMultiplyAdd(y, r, P3);
        y = MathF.FusedMultiplyAdd(y, r, P4);
        y = MathF.FusedMultiplyAdd(y, r, P5);
        y = MathF.FusedMultiplyAdd(y, r * r, r) + 1f;
        return y * BitConverter.Int32BitsToSingle(((int)k + 127) << 23);
    }
}
