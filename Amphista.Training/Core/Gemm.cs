using System.Runtime.Intrinsics;

namespace Amphista.Training;

/// <summary>
/// C [M, N] (+)= A [M, K] · B [N, K]ᵀ: the forward product y = x Wᵀ, both operands rows of length K
/// (backward's forms, dy·W and dyᵀ·x, are <see cref="OuterGemm"/>'s).
/// Each C[m, n] is exactly <see cref="Simd.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> of row m
/// and row n, whether it is computed in a 4×4 register tile or at an edge, and whichever thread runs
/// it: results depend on neither the tiling nor the thread count. Threads take blocks of
/// 64 rows × 32 columns of C; a block's 32 rows of B stay in cache while A's 4-row tiles stream.
/// </summary>
public static unsafe class Gemm
{
    private const int RowBlock = 64, ColBlock = 32, Tile = 4;

    public static void MultiplyTransposed(float[] a, float[] b, float[] c, int m, int n, int k, bool accumulate)
    {
        if (a.Length != (long)m * k || b.Length != (long)n * k || c.Length != (long)m * n)
            throw new ArgumentException($"gemm shapes: A {a.Length} for [{m}, {k}], B {b.Length} for [{n}, {k}], C {c.Length} for [{m}, {n}]");
        if (m == 0 || n == 0) return;
        int rowBlocks = (m + RowBlock - 1) / RowBlock, colBlocks = (n + ColBlock - 1) / ColBlock;
        Parallelism.For(rowBlocks * colBlocks, block =>
        {
            int m0 = block / colBlocks * RowBlock, n0 = block % colBlocks * ColBlock;
            fixed (float* pa = a, pb = b, pc = c)
                Block(pa, pb, pc, m0, Math.Min(m, m0 + RowBlock), n0, Math.Min(n, n0 + ColBlock), n, k, accumulate);
        });
    }

    private static void Block(float* a, float* b, float* c, int m0, int m1, int n0, int n1, int n, int k, bool accumulate)
    {
        for (int i = m0; i < m1; i += Tile)
            for (int j = n0; j < n1; j += Tile)
            {
                if (i + Tile <= m1 && j + Tile <= n1)
                {
                    Tile4x4(a + (long)i * k, b + (long)j * k, c + (long)i * n + j, n, k, accumulate);
                    continue;
                }
                for (int ii = i; ii < Math.Min(m1, i + Tile); ii++)
                    for (int jj = j; jj < Math.Min(n1, j + Tile); jj++)
                        Store(c + (long)ii * n + jj, Simd.Dot(a + (long)ii * k, b + (long)jj * k, k), accumulate);
            }
    }

    private static void Store(float* c, float value, bool accumulate) => *c = accumulate ? *c + value : value;

    /// <summary>C[0..4, 0..4] of a 4-row A tile against a 4-row B tile: 16 accumulators in registers.</summary>
    private static void Tile4x4(float* a, float* b, float* c, int n, int k, bool accumulate)
    {
        float* a1 = a + k, a2 = a1 + k, a3 = a2 + k;
        float* b1 = b + k, b2 = b1 + k, b3 = b2 + k;
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        int i = 0;
        for (; i <= k - 16; i += 16)
        {
            var w0 = Vector512.Load(b + i);
            var w1 = Vector512.Load(b1 + i);
            var w2 = Vector512.Load(b2 + i);
            var w3 = Vector512.Load(b3 + i);
            var x = Vector512.Load(a + i);
            c00 = Vector512.FusedMultiplyAdd(x, w0, c00); c01 = Vector512.FusedMultiplyAdd(x, w1, c01);
            c02 = Vector512.FusedMultiplyAdd(x, w2, c02); c03 = Vector512.FusedMultiplyAdd(x, w3, c03);
            x = Vector512.Load(a1 + i);
            c10 = Vector512.FusedMultiplyAdd(x, w0, c10); c11 = Vector512.FusedMultiplyAdd(x, w1, c11);
            c12 = Vector512.FusedMultiplyAdd(x, w2, c12); c13 = Vector512.FusedMultiplyAdd(x, w3, c13);
            x = Vector512.Load(a2 + i);
            c20 = Vector512.FusedMultiplyAdd(x, w0, c20); c21 = Vector512.FusedMultiplyAdd(x, w1, c21);
            c22 = Vector512.FusedMultiplyAdd(x, w2, c22); c23 = Vector512.FusedMultiplyAdd(x, w3, c23);
            x = Vector512.Load(a3 + i);
            c30 = Vector512.FusedMultiplyAdd(x, w0, c30); c31 = Vector512.FusedMultiplyAdd(x, w1, c31);
            c32 = Vector512.FusedMultiplyAdd(x, w2, c32); c33 = Vector512.FusedMultiplyAdd(x, w3, c33);
        }
        float* r0 = c, r1 = c + n, r2 = r1 + n, r3 = r2 + n;
        Store(r0, Simd.Finish(c00, a, b, i, k), accumulate); Store(r0 + 1, Simd.Finish(c01, a, b1, i, k), accumulate);
        Store(r0 + 2, Simd.Finish(c02, a, b2, i, k), accumulate); Store(r0 + 3, Simd.Finish(c03, a, b3, i, k), accumulate);
        Store(r1, Simd.Finish(c10, a1, b, i, k), accumulate); Store(r1 + 1, Simd.Finish(c11, a1, b1, i, k), accumulate);
        Store(r1 + 2, Simd.Finish(c12, a1, b2, i, k), accumulate); Store(r1 + 3, Simd.Finish(c13, a1, b3, i, k), accumulate);
        Store(r2, Simd.Finish(c20, a2, b, i, k), accumulate); Store(r2 + 1, Simd.Finish(c21, a2, b1, i, k), accumulate);
        Store(r2 + 2, Simd.Finish(c22, a2, b2, i, k), accumulate); Store(r2 + 3, Simd.Finish(c23, a2, b3, i, k), accumulate);
        Store(r3, Simd.Finish(c30, a3, b, i, k), accumulate); Store(r3 + 1, Simd.Finish(c31, a3, b1, i, k), accumulate);
        Store(r3 + 2, Simd.Finish(c32, a3, b2, i, k), accumulate); Store(r3 + 3, Simd.Finish(c33, a3, b3, i, k), accumulate);
    }
}
