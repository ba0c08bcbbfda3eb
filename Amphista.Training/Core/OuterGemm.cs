using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Amphista.Tensors.Kernels;

namespace Amphista.Training.Core;

/// <summary>
/// C [M, N] += A · B with B [K, N] row-major and A read through strides, so A may be stored as
/// [M, K] (dx += dy · W) or as [K, M] (dW += dyᵀ · x) with no transpose copied:
///   C[m, n] ← fma(A(m, K−1), B[K−1, n], … fma(A(m, 0), B[0, n], C[m, n]))
/// one fused chain per element in k order, starting from C's value. A fused multiply-add rounds
/// once whether in a vector lane or a scalar, so the vector width, tiles, edges and K blocks (the
/// chain resumes from the stored float) all give the same bits. Register tile: 4 rows × 4 vectors
/// (16 accumulators) where the machine has 32 vector registers, 4 rows × 2 vectors where it has 16;
/// A broadcast, B rows streamed. C is walked in 64 × 64 blocks, K in blocks of 256 so a block's
/// slice of B (256 × 64) stays in L2. One thread: a training batch runs its sequences in parallel
/// instead (<see cref="SequenceKernels"/>).
/// </summary>
public static unsafe class OuterGemm
{
    private const int RowBlock = 64, ColBlock = 64, DepthBlock = 256;

    /// <summary>C [M, N] += A [M, K] · B [K, N].</summary>
    public static void Multiply(VectorWidth width, float[] a, float[] b, float[] c, int m, int n, int k) => Run(width, a, k, 1, b, c, m, n, k);

    /// <summary>C [M, N] += A [K, M]ᵀ · B [K, N].</summary>
    public static void MultiplyTransposedA(VectorWidth width, float[] a, float[] b, float[] c, int m, int n, int k) => Run(width, a, 1, m, b, c, m, n, k);

    private static void Run(VectorWidth width, float[] a, int rowStride, int depthStride, float[] b, float[] c, int m, int n, int k)
    {
        if (a.Length != (long)m * k || b.Length != (long)k * n || c.Length != (long)m * n)
            throw new ArgumentException($"gemm shapes: A {a.Length} for {m}×{k}, B {b.Length} for [{k}, {n}], C {c.Length} for [{m}, {n}]");
        if (m == 0 || n == 0 || k == 0) return;
        switch (width.Bits)
        {
            case 512: Run<Simd512, Vector512<float>>(a, rowStride, depthStride, b, c, m, n, k); break;
            case 256: Run<Simd256, Vector256<float>>(a, rowStride, depthStride, b, c, m, n, k); break;
            case 128: Run<Simd128, Vector128<float>>(a, rowStride, depthStride, b, c, m, n, k); break;
            default: Run<SimdScalar, float>(a, rowStride, depthStride, b, c, m, n, k); break;
        }
    }

    private static void Run<V, TVec>(float[] a, int rowStride, int depthStride, float[] b, float[] c, int m, int n, int k)
        where V : struct, IVectorOps<TVec> where TVec : struct
    {
        fixed (float* pa = a, pb = b, pc = c)
            for (int m0 = 0; m0 < m; m0 += RowBlock)
                for (int n0 = 0; n0 < n; n0 += ColBlock)
                {
                    int m1 = Math.Min(m, m0 + RowBlock), n1 = Math.Min(n, n0 + ColBlock);
                    for (int k0 = 0; k0 < k; k0 += DepthBlock)
                    {
                        var s = new Strides(rowStride, depthStride, n, k0, Math.Min(k, k0 + DepthBlock));
                        if (VectorWidth.ThirtyTwoRegisters) OuterTiles<V, TVec, Four>.Block(pa, pb, pc, m0, m1, n0, n1, s);
                        else OuterTiles<V, TVec, Two>.Block(pa, pb, pc, m0, m1, n0, n1, s);
                    }
                }
    }

    /// <summary>A(m, k) = a[m·RowStride + k·DepthStride]; C and B rows are N wide; this pass covers k in [K0, K1).</summary>
    internal readonly record struct Strides(int RowStride, int DepthStride, int N, int K0, int K1);
}

/// <summary>
/// <see cref="OuterGemm"/>'s register tiles at width V: 4 rows × TVectors vectors of C's columns (two
/// or four, a compile-time constant so the JIT drops the unused accumulators), then the edges.
/// </summary>
internal static unsafe class OuterTiles<V, TVec, TVectors> where V : struct, IVectorOps<TVec> where TVec : struct where TVectors : struct, IRowCount
{
    private const int Rows = 4;

    /// <summary>C's rows [m0, m1) and columns [n0, n1), over this pass's k.</summary>
    public static void Block(float* a, float* b, float* c, int m0, int m1, int n0, int n1, OuterGemm.Strides s)
    {
        int width = TVectors.Count * V.Lanes;
        for (int i = m0; i < m1; i += Rows)
        {
            int j = n0;
            if (i + Rows <= m1)
                for (; j + width <= n1; j += width) Tile(a, b, c, i, j, s);
            for (int r = i; r < Math.Min(m1, i + Rows); r++) Edge(a, b, c, r, j, n1, s);
        }
    }

    /// <summary>Rows i..i + 3, columns from j: accumulator xrv holds row r's vector v.</summary>
    private static void Tile(float* a, float* b, float* c, int i, int j, OuterGemm.Strides s)
    {
        nint l1 = V.Lanes, l2 = 2 * l1, l3 = 3 * l1;
        bool four = TVectors.Count > 2;
        float* c0 = c + (nint)i * s.N + j, c1 = c0 + s.N, c2 = c1 + s.N, c3 = c2 + s.N;
        TVec x00 = V.Load(ref *c0, 0), x01 = V.Load(ref *c0, l1), x02 = four ? V.Load(ref *c0, l2) : V.Zero, x03 = four ? V.Load(ref *c0, l3) : V.Zero;
        TVec x10 = V.Load(ref *c1, 0), x11 = V.Load(ref *c1, l1), x12 = four ? V.Load(ref *c1, l2) : V.Zero, x13 = four ? V.Load(ref *c1, l3) : V.Zero;
        TVec x20 = V.Load(ref *c2, 0), x21 = V.Load(ref *c2, l1), x22 = four ? V.Load(ref *c2, l2) : V.Zero, x23 = four ? V.Load(ref *c2, l3) : V.Zero;
        TVec x30 = V.Load(ref *c3, 0), x31 = V.Load(ref *c3, l1), x32 = four ? V.Load(ref *c3, l2) : V.Zero, x33 = four ? V.Load(ref *c3, l3) : V.Zero;
        for (int kk = s.K0; kk < s.K1; kk++)
        {
            float* bk = b + (nint)kk * s.N + j;
            float* ak = a + (nint)i * s.RowStride + (nint)kk * s.DepthStride;
            TVec w0 = V.Load(ref *bk, 0), w1 = V.Load(ref *bk, l1);
            TVec w2 = four ? V.Load(ref *bk, l2) : V.Zero, w3 = four ? V.Load(ref *bk, l3) : V.Zero;
            TVec v = V.Create(ak[0]);
            x00 = V.FusedMultiplyAdd(v, w0, x00); x01 = V.FusedMultiplyAdd(v, w1, x01);
            if (four) { x02 = V.FusedMultiplyAdd(v, w2, x02); x03 = V.FusedMultiplyAdd(v, w3, x03); }
            v = V.Create(ak[s.RowStride]);
            x10 = V.FusedMultiplyAdd(v, w0, x10); x11 = V.FusedMultiplyAdd(v, w1, x11);
            if (four) { x12 = V.FusedMultiplyAdd(v, w2, x12); x13 = V.FusedMultiplyAdd(v, w3, x13); }
            v = V.Create(ak[2 * s.RowStride]);
            x20 = V.FusedMultiplyAdd(v, w0, x20); x21 = V.FusedMultiplyAdd(v, w1, x21);
            if (four) { x22 = V.FusedMultiplyAdd(v, w2, x22); x23 = V.FusedMultiplyAdd(v, w3, x23); }
            v = V.Create(ak[3 * s.RowStride]);
            x30 = V.FusedMultiplyAdd(v, w0, x30); x31 = V.FusedMultiplyAdd(v, w1, x31);
            if (four) { x32 = V.FusedMultiplyAdd(v, w2, x32); x33 = V.FusedMultiplyAdd(v, w3, x33); }
        }
        Keep(c0, x00, x01, x02, x03);
        Keep(c1, x10, x11, x12, x13);
        Keep(c2, x20, x21, x22, x23);
        Keep(c3, x30, x31, x32, x33);
    }

    /// <summary>Stores one row's C accumulators at p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Keep(float* p, TVec x0, TVec x1, TVec x2, TVec x3)
    {
        V.Store(x0, ref *p, 0);
        V.Store(x1, ref *p, V.Lanes);
        if (TVectors.Count < 3) return;
        V.Store(x2, ref *p, 2 * V.Lanes);
        V.Store(x3, ref *p, 3 * V.Lanes);
    }

    /// <summary>Row r, columns [j, n1): one vector at a time, then scalars; the same chains as <see cref="Tile"/>.</summary>
    private static void Edge(float* a, float* b, float* c, int r, int j, int n1, OuterGemm.Strides s)
    {
        float* cr = c + (nint)r * s.N;
        float* ar = a + (nint)r * s.RowStride;
        for (; j + V.Lanes <= n1; j += V.Lanes)
        {
            TVec acc = V.Load(ref *cr, j);
            for (int kk = s.K0; kk < s.K1; kk++)
                acc = V.FusedMultiplyAdd(V.Create(ar[(nint)kk * s.DepthStride]), V.Load(ref *b, (nint)kk * s.N + j), acc);
            V.Store(acc, ref *cr, j);
        }
        for (; j < n1; j++)
        {
            float acc = cr[j];
            for (int kk = s.K0; kk < s.K1; kk++) acc = MathF.FusedMultiplyAdd(ar[(nint)kk * s.DepthStride], b[(nint)kk * s.N + j], acc);
            cr[j] = acc;
        }
    }
}
