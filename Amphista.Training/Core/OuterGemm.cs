using System.Runtime.Intrinsics;

namespace Amphista.Training;

/// <summary>
/// C [M, N] += A · B with B [K, N] row-major and A read through strides, so A may be stored as
/// [M, K] (dx += dy · W) or as [K, M] (dW += dyᵀ · x) with no transpose copied:
///   C[m, n] ← fma(A(m, K−1), B[K−1, n], … fma(A(m, 0), B[0, n], C[m, n]))
/// one fused chain per element in k order, starting from C's value. A fused multiply-add rounds
/// once whether in a vector lane or a scalar, so tiles, edges, K blocks (the chain resumes from the
/// stored float) and threads all give the same bits. Register tile: 4 rows × 64 columns (16
/// accumulators), A broadcast, B rows streamed; threads take 64 × 64 blocks of C, K in blocks of 256
/// so the block's slice of B (256 × 64) stays in L2.
/// </summary>
public static unsafe class OuterGemm
{
    private const int RowBlock = 64, ColBlock = 64, DepthBlock = 256, Rows = 4, Lanes = 16;

    /// <summary>C [M, N] += A [M, K] · B [K, N].</summary>
    public static void Multiply(float[] a, float[] b, float[] c, int m, int n, int k) => Run(a, k, 1, b, c, m, n, k);

    /// <summary>C [M, N] += A [K, M]ᵀ · B [K, N].</summary>
    public static void MultiplyTransposedA(float[] a, float[] b, float[] c, int m, int n, int k) => Run(a, 1, m, b, c, m, n, k);

    private static void Run(float[] a, int rowStride, int depthStride, float[] b, float[] c, int m, int n, int k)
    {
        if (a.Length != (long)m * k || b.Length != (long)k * n || c.Length != (long)m * n)
            throw new ArgumentException($"gemm shapes: A {a.Length} for {m}×{k}, B {b.Length} for [{k}, {n}], C {c.Length} for [{m}, {n}]");
        if (m == 0 || n == 0 || k == 0) return;
        int rowBlocks = (m + RowBlock - 1) / RowBlock, colBlocks = (n + ColBlock - 1) / ColBlock;
        Parallelism.For(rowBlocks * colBlocks, block =>
        {
            int m0 = block / colBlocks * RowBlock, n0 = block % colBlocks * ColBlock;
            int m1 = Math.Min(m, m0 + RowBlock), n1 = Math.Min(n, n0 + ColBlock);
            fixed (float* pa = a, pb = b, pc = c)
                for (int k0 = 0; k0 < k; k0 += DepthBlock)
                {
                    var s = new Strides(rowStride, depthStride, n, k0, Math.Min(k, k0 + DepthBlock));
                    for (int i = m0; i < m1; i += Rows)
                    {
                        int j = n0;
                        if (i + Rows <= m1)
                            for (; j + Rows * Lanes <= n1; j += Rows * Lanes) Tile(pa, pb, pc, i, j, s);
                        for (int r = i; r < Math.Min(m1, i + Rows); r++) Edge(pa, pb, pc, r, j, n1, s);
                    }
                }
        });
    }

    /// <summary>A(m, k) = a[m·RowStride + k·DepthStride]; C and B rows are N wide; this pass covers k in [K0, K1).</summary>
    private readonly record struct Strides(int RowStride, int DepthStride, int N, int K0, int K1);

    private static void Tile(float* a, float* b, float* c, int i, int j, Strides s)
    {
        float* c0 = c + (long)i * s.N + j, c1 = c0 + s.N, c2 = c1 + s.N, c3 = c2 + s.N;
        Vector512<float> x00 = Vector512.Load(c0), x01 = Vector512.Load(c0 + 16), x02 = Vector512.Load(c0 + 32), x03 = Vector512.Load(c0 + 48);
        Vector512<float> x10 = Vector512.Load(c1), x11 = Vector512.Load(c1 + 16), x12 = Vector512.Load(c1 + 32), x13 = Vector512.Load(c1 + 48);
        Vector512<float> x20 = Vector512.Load(c2), x21 = Vector512.Load(c2 + 16), x22 = Vector512.Load(c2 + 32), x23 = Vector512.Load(c2 + 48);
        Vector512<float> x30 = Vector512.Load(c3), x31 = Vector512.Load(c3 + 16), x32 = Vector512.Load(c3 + 32), x33 = Vector512.Load(c3 + 48);
        for (int kk = s.K0; kk < s.K1; kk++)
        {
            float* bk = b + (long)kk * s.N + j;
            float* ak = a + (long)i * s.RowStride + (long)kk * s.DepthStride;
            var w0 = Vector512.Load(bk);
            var w1 = Vector512.Load(bk + 16);
            var w2 = Vector512.Load(bk + 32);
            var w3 = Vector512.Load(bk + 48);
            var v = Vector512.Create(*ak);
            x00 = Vector512.FusedMultiplyAdd(v, w0, x00); x01 = Vector512.FusedMultiplyAdd(v, w1, x01);
            x02 = Vector512.FusedMultiplyAdd(v, w2, x02); x03 = Vector512.FusedMultiplyAdd(v, w3, x03);
            v = Vector512.Create(ak[s.RowStride]);
            x10 = Vector512.FusedMultiplyAdd(v, w0, x10); x11 = Vector512.FusedMultiplyAdd(v, w1, x11);
            x12 = Vector512.FusedMultiplyAdd(v, w2, x12); x13 = Vector512.FusedMultiplyAdd(v, w3, x13);
            v = Vector512.Create(ak[2 * s.RowStride]);
            x20 = Vector512.FusedMultiplyAdd(v, w0, x20); x21 = Vector512.FusedMultiplyAdd(v, w1, x21);
            x22 = Vector512.FusedMultiplyAdd(v, w2, x22); x23 = Vector512.FusedMultiplyAdd(v, w3, x23);
            v = Vector512.Create(ak[3 * s.RowStride]);
            x30 = Vector512.FusedMultiplyAdd(v, w0, x30); x31 = Vector512.FusedMultiplyAdd(v, w1, x31);
            x32 = Vector512.FusedMultiplyAdd(v, w2, x32); x33 = Vector512.FusedMultiplyAdd(v, w3, x33);
        }
        x00.Store(c0); x01.Store(c0 + 16); x02.Store(c0 + 32); x03.Store(c0 + 48);
        x10.Store(c1); x11.Store(c1 + 16); x12.Store(c1 + 32); x13.Store(c1 + 48);
        x20.Store(c2); x21.Store(c2 + 16); x22.Store(c2 + 32); x23.Store(c2 + 48);
        x30.Store(c3); x31.Store(c3 + 16); x32.Store(c3 + 32); x33.Store(c3 + 48);
    }

    /// <summary>Row r, columns [j, n1): one vector of 16 at a time, then scalars; the same chains as <see cref="Tile"/>.</summary>
    private static void Edge(float* a, float* b, float* c, int r, int j, int n1, Strides s)
    {
        float* cr = c + (long)r * s.N;
        float* ar = a + (long)r * s.RowStride;
        for (; j + Lanes <= n1; j += Lanes)
        {
            var acc = Vector512.Load(cr + j);
            for (int kk = s.K0; kk < s.K1; kk++)
                acc = Vector512.FusedMultiplyAdd(Vector512.Create(ar[(long)kk * s.DepthStride]), Vector512.Load(b + (long)kk * s.N + j), acc);
            acc.Store(cr + j);
        }
        for (; j < n1; j++)
        {
            float acc = cr[j];
            for (int kk = s.K0; kk < s.K1; kk++) acc = MathF.FusedMultiplyAdd(ar[(long)kk * s.DepthStride], b[(long)kk * s.N + j], acc);
            cr[j] = acc;
        }
    }
}
