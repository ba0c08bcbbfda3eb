using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Amphista.Tensors.Kernels;

/// <summary>
/// e^x for every kernel, at any vector width, with a scalar twin that performs the same float
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

    /// <summary>x[i] = e^(x[i] − shift), in place, at the given vector width (every width gives the same bits).</summary>
    public static void ExpShifted(Span<float> x, float shift, VectorWidth width) => VectorKernels.For(width).ExpShifted(x, shift);

    /// <summary>y[i] = SiLU(x[i]) at the given vector width (every width gives the same bits).</summary>
    public static void Silu(ReadOnlySpan<float> x, Span<float> y, VectorWidth width) => VectorKernels.For(width).Silu(x, y);

    internal static void ExpShifted<V, TVec>(Span<float> x, float shift) where V : struct, IVectorOps<TVec> where TVec : struct
    {
        int i = 0;
        var s = V.Create(shift);
        ref float p = ref MemoryMarshal.GetReference(x);
        for (; i <= x.Length - V.Lanes; i += V.Lanes) V.Store(Exp<V, TVec>(V.Subtract(V.Load(ref p, i), s)), ref p, i);
        for (; i < x.Length; i++) x[i] = Exp(x[i] - shift);
    }

    internal static void Silu<V, TVec>(ReadOnlySpan<float> x, Span<float> y) where V : struct, IVectorOps<TVec> where TVec : struct
    {
        int i = 0;
        ref float px = ref MemoryMarshal.GetReference(x), py = ref MemoryMarshal.GetReference(y);
        for (; i <= x.Length - V.Lanes; i += V.Lanes) V.Store(Silu<V, TVec>(V.Load(ref px, i)), ref py, i);
        for (; i < x.Length; i++) y[i] = Silu(x[i]);
    }

    /// <summary>y[i] = SiLU(gate[i]) · up[i].</summary>
    internal static void SwiGlu<V, TVec>(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> y)
        where V : struct, IVectorOps<TVec> where TVec : struct
    {
        int i = 0;
        ref float pg = ref MemoryMarshal.GetReference(gate), pu = ref MemoryMarshal.GetReference(up), py = ref MemoryMarshal.GetReference(y);
        for (; i <= gate.Length - V.Lanes; i += V.Lanes)
            V.Store(V.Multiply(Silu<V, TVec>(V.Load(ref pg, i)), V.Load(ref pu, i)), ref py, i);
        for (; i < gate.Length; i++) y[i] = Silu(gate[i]) * up[i];
    }

    /// <summary>SiLU(g) = g / (1 + e^−g), lanes and scalar alike.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Silu<V, TVec>(TVec g) where V : struct, IVectorOps<TVec> where TVec : struct =>
        V.Divide(g, V.Add(V.Create(1f), Exp<V, TVec>(V.Negate(g))));

    public static float Silu(float g) => g / (1f + Exp(-g));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Exp<V, TVec>(TVec x) where V : struct, IVectorOps<TVec> where TVec : struct
    {
        var k = V.Round(V.Multiply(x, V.Create(Log2E)));
        var r = V.FusedMultiplyAdd(k, V.Create(-Ln2Hi), x);
        r = V.FusedMultiplyAdd(k, V.Create(-Ln2Lo), r);
        var y = V.FusedMultiplyAdd(V.Create(P0), r, V.Create(P1));
        y = V.FusedMultiplyAdd(y, r, V.Create(P2));
        y = V.FusedMultiplyAdd(y, r, V.Create(P3));
        y = V.FusedMultiplyAdd(y, r, V.Create(P4));
        y = V.FusedMultiplyAdd(y, r, V.Create(P5));
        y = V.Add(V.FusedMultiplyAdd(y, V.Multiply(r, r), r), V.Create(1f));
        var e = V.Multiply(y, V.PowerOfTwo(k));
        e = V.WhereLess(x, Lowest, 0f, e);
        e = V.WhereGreater(x, Highest, float.PositiveInfinity, e);
        return V.KeepNaN(x, e);
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
