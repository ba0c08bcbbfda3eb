// Device-side building blocks shared by the kernels: the fixed warp reductions, the chunked dot-product
// step every sum uses, and exp / SiLU built from explicitly rounded operations. Scalars and 4-float chunks.
using ILGPU;

namespace Amphista.Tensors.Gpu;

/// <summary>Four consecutive floats, loaded with one 16-byte instruction when aligned.</summary>
internal struct Quad
{
    public float A, B, C, D;

    public Quad(float a, float b, float c, float d)
    {
        A = a;
        B = b;
        C = c;
        D = d;
    }
}

/// <summary>
/// The one summation order of the GPU kernels. A length-n sum is split into chunks of 4 consecutive
/// elements; lane l of a 32-lane warp owns chunks l, l + 32, l + 64, ... and adds its elements into its
/// own accumulator in increasing index order; then the 32 partial sums are combined by a butterfly
/// (xor 16, 8, 4, 2, 1). Which element meets which partial sum depends on n only, never on how many
/// rows a call has or how warps are grouped: that is the batch invariance.
/// </summary>
internal static class DeviceMath
{
    /// <summary>Lanes of a warp; the butterfly is written for exactly this many.</summary>
    public const int Lanes = 32;

    /// <summary>Elements per chunk (one 16-byte load of float32, one 8-byte load of bf16).</summary>
    public const int Chunk = 4;

    /// <summary>
    /// This warp's index in the grid. Blocks may hold any number of warps (the device picks it): each warp
    /// owns its own rows, so the block size changes no result.
    /// </summary>
    public static int GridWarp => Grid.IdxX * (Group.DimX / Lanes) + Warp.WarpIdx;

    /// <summary>Chunks covering n elements.</summary>
    public static int Chunks(int n) => (n + Chunk - 1) / Chunk;

    /// <summary>Elements of chunk c that lie inside n (4 except in the last chunk).</summary>
    public static int ChunkLength(int c, int n) => Math.Min(Chunk, n - Chunk * c);

    /// <summary>acc + a₀b₀ + a₁b₁ + ... over the first count lanes of a chunk, one fused multiply-add each, in order.</summary>
    public static float Dot<M>(float acc, Quad a, Quad b, int count) where M : struct, IFloatOps
    {
        var m = default(M);
        acc = m.Fma(a.A, b.A, acc);
        if (count > 1) acc = m.Fma(a.B, b.B, acc);
        if (count > 2) acc = m.Fma(a.C, b.C, acc);
        if (count > 3) acc = m.Fma(a.D, b.D, acc);
        return acc;
    }

    /// <summary>
    /// Chunk c of a row of n floats starting at element start. wide (n % 4 == 0, so start is a multiple of 4)
    /// reads one Quad; otherwise element by element, with elements past n read as 0 and never used.
    /// </summary>
    public static Quad LoadChunk(ArrayView<float> data, int start, int c, int n, bool wide)
    {
        if (wide) return data.Cast<Quad>()[(start >> 2) + c];
        int first = start + Chunk * c, count = ChunkLength(c, n);
        return new Quad(
            data[first],
            count > 1 ? data[first + 1] : 0f,
            count > 2 ? data[first + 2] : 0f,
            count > 3 ? data[first + 3] : 0f);
    }

    /// <summary>
    /// Σ x² over a row of n floats starting at element start, in the one order (each lane's chunks, then the
    /// butterfly): RMSNorm's sum, the same bits wherever a kernel computes it.
    /// </summary>
    public static float SumSquares<M>(ArrayView<float> x, int start, int n, bool wide) where M : struct, IFloatOps
    {
        float sum = 0f;
        for (int c = Warp.LaneIdx; c < Chunks(n); c += Lanes)
        {
            var v = LoadChunk(x, start, c, n, wide);
            sum = Dot<M>(sum, v, v, ChunkLength(c, n));
        }
        return WarpSum<M>(sum);
    }

    /// <summary>RMSNorm's scale r = 1 / sqrt(Σx² / n + ε).</summary>
    public static float RmsScale<M>(float sumSquares, int n, float eps) where M : struct, IFloatOps =>
        1f / MathF.Sqrt(default(M).Add(sumSquares / n, eps));

    /// <summary>RMSNorm of one chunk: g ⊙ (x · r), each element rounded as the RMSNorm kernel rounds it.</summary>
    public static Quad Normalize<M>(Quad x, Quad gain, float scale) where M : struct, IFloatOps
    {
        var m = default(M);
        return new Quad(m.Mul(gain.A, m.Mul(x.A, scale)), m.Mul(gain.B, m.Mul(x.B, scale)),
            m.Mul(gain.C, m.Mul(x.C, scale)), m.Mul(gain.D, m.Mul(x.D, scale)));
    }

    /// <summary>Sum of the 32 lanes' values by the fixed butterfly; every lane gets the same bits.</summary>
    public static float WarpSum<M>(float value) where M : struct, IFloatOps
    {
        var m = default(M);
        for (int mask = Lanes / 2; mask > 0; mask >>= 1)
            value = m.Add(value, Warp.ShuffleXor(value, mask));
        return value;
    }

    /// <summary>
    /// 32 sums at once, each by <see cref="WarpSum"/>'s butterfly, in 31 shuffles rather than 160: value v of a lane
    /// is component v % 4 of quad v / 4, and lane l ends with the sum of value l. At the step across lanes xor m,
    /// a lane keeps the half of its values whose bit m matches its own and adds its partner's partial of each,
    /// its own first, exactly the additions <see cref="WarpSum"/> makes for that value in that lane.
    /// </summary>
    public static float WarpSums<M>(Quad a0, Quad a1, Quad a2, Quad a3, Quad a4, Quad a5, Quad a6, Quad a7) where M : struct, IFloatOps
    {
        int lane = Warp.LaneIdx;
        Quad b0 = Exchange<M>(a0, a4, 16, lane), b1 = Exchange<M>(a1, a5, 16, lane);
        Quad b2 = Exchange<M>(a2, a6, 16, lane), b3 = Exchange<M>(a3, a7, 16, lane);
        Quad c0 = Exchange<M>(b0, b2, 8, lane), c1 = Exchange<M>(b1, b3, 8, lane);
        Quad d = Exchange<M>(c0, c1, 4, lane);
        float e0 = Exchange<M>(d.A, d.C, 2, lane), e1 = Exchange<M>(d.B, d.D, 2, lane);
        return Exchange<M>(e0, e1, 1, lane);
    }

    private static Quad Exchange<M>(Quad low, Quad high, int mask, int lane) where M : struct, IFloatOps =>
        new(Exchange<M>(low.A, high.A, mask, lane), Exchange<M>(low.B, high.B, mask, lane),
            Exchange<M>(low.C, high.C, mask, lane), Exchange<M>(low.D, high.D, mask, lane));

    /// <summary>One value pair across lanes xor mask: the lane with bit mask set keeps high, its partner low.</summary>
    private static float Exchange<M>(float low, float high, int mask, int lane) where M : struct, IFloatOps
    {
        bool upper = (lane & mask) != 0;
        return default(M).Add(upper ? high : low, Warp.ShuffleXor(upper ? low : high, mask));
    }

    /// <summary>Maximum of the 32 lanes' values (exact: order cannot change it).</summary>
    public static float WarpMax(float value)
    {
        for (int mask = Lanes / 2; mask > 0; mask >>= 1)
            value = Max(value, Warp.ShuffleXor(value, mask));
        return value;
    }

    /// <summary>A comparison rather than the hardware max, whose NaN rule differs between PTX and .NET.</summary>
    public static float Max(float a, float b) => b > a ? b : a;

    private const float Log2E = 1.44269504f;
    private const float Ln2Hi = 0.693359375f;      // few significant bits: n · Ln2Hi is exact
    private const float Ln2Lo = -2.12194440e-4f;   // ln 2 − Ln2Hi

    /// <summary>
    /// e^x from explicitly rounded operations, so it gives the same bits on every accelerator (a library exp
    /// would differ between the CPU and the GPU, and ILGPU has none for PTX). x = n·ln 2 + r with |r| ≤ ln 2 / 2
    /// (Cody–Waite), e^r by its Taylor series to degree 7 (truncation below 6e-9 relative), times 2^n applied
    /// in two exact halves so subnormal results round once. Within 2 ulp of the true value.
    /// </summary>
    public static float Exp<M>(float x) where M : struct, IFloatOps
    {
        var m = default(M);
        if (float.IsNaN(x)) return x;
        if (x < -120f) return 0f;                          // e^-120 is far below half the smallest subnormal
        if (x > 89f) return float.PositiveInfinity;        // e^89 overflows; also keeps n in range
        float n = MathF.Floor(m.Fma(x, Log2E, 0.5f));
        float r = m.Fma(n, -Ln2Hi, x);
        r = m.Fma(n, -Ln2Lo, r);
        float p = 1f / 5040f;
        p = m.Fma(p, r, 1f / 720f);
        p = m.Fma(p, r, 1f / 120f);
        p = m.Fma(p, r, 1f / 24f);
        p = m.Fma(p, r, 1f / 6f);
        p = m.Fma(p, r, 0.5f);
        p = m.Fma(p, r, 1f);
        p = m.Fma(p, r, 1f);
        int k = (int)n, k1 = k >> 1;
        return m.Mul(m.Mul(p, PowerOfTwo(k1)), PowerOfTwo(k - k1));
    }

    /// <summary>SiLU(g) = g / (1 + e^-g).</summary>
    public static float Silu<M>(float g) where M : struct, IFloatOps => g / default(M).Add(1f, Exp<M>(-g));

    /// <summary>2^k for k in [-126, 127], built from its exponent bits.</summary>
    private static float PowerOfTwo(int k) => Interop.IntAsFloat((uint)(k + 127) << 23);
}
