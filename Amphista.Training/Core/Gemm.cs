using System.Runtime.Intrinsics;
using Amphista.Tensors.Kernels;

namespace Amphista.Training.Core;

/// <summary>
/// C [M, N] (+)= A [M, K] · B [N, K]ᵀ: the forward product y = x Wᵀ, both operands rows of length K
/// (backward's forms, dy·W and dyᵀ·x, are <see cref="OuterGemm"/>'s). This is the inference product
/// (<see cref="TiledProduct{V, TVec}"/>, with B as the weights), so each C[m, n] is exactly
/// <see cref="ReductionOrder.Dot"/> of row m and row n at every width, whatever the tile or thread.
/// Threads take blocks of 64 rows × 32 columns of C; the block's 32 rows of B stay in cache while A's
/// rows stream four at a time (one tile row, so the C rows being written stay in cache too).
/// Accumulating adds each block's product, computed apart, to C.
/// </summary>
public static unsafe class Gemm
{
    private const int RowBlock = 64, ColBlock = 32, Tile = 4;

    public static void MultiplyTransposed(float[] a, float[] b, float[] c, int m, int n, int k, bool accumulate)
    {
        if (a.Length != (long)m * k || b.Length != (long)n * k || c.Length != (long)m * n)
            throw new ArgumentException($"gemm shapes: A {a.Length} for [{m}, {k}], B {b.Length} for [{n}, {k}], C {c.Length} for [{m}, {n}]");
        if (m == 0 || n == 0) return;
        switch (Simd.Width.Bits)
        {
            case 512: Run<Simd512, Vector512<float>>(a, b, c, m, n, k, accumulate); break;
            case 256: Run<Simd256, Vector256<float>>(a, b, c, m, n, k, accumulate); break;
            case 128: Run<Simd128, Vector128<float>>(a, b, c, m, n, k, accumulate); break;
            default: Run<SimdScalar, float>(a, b, c, m, n, k, accumulate); break;
        }
    }

    private static void Run<V, TVec>(float[] a, float[] b, float[] c, int m, int n, int k, bool accumulate)
        where V : struct, IVectorOps<TVec> where TVec : struct
    {
        int rowBlocks = (m + RowBlock - 1) / RowBlock, colBlocks = (n + ColBlock - 1) / ColBlock;
        Parallelism.For(rowBlocks * colBlocks, block =>
        {
            int m0 = block / colBlocks * RowBlock, n0 = block % colBlocks * ColBlock;
            int rows = Math.Min(m, m0 + RowBlock) - m0, n1 = Math.Min(n, n0 + ColBlock);
            fixed (float* pa = a, pb = b, pc = c)
            {
                float* x = pa + (nint)m0 * k, y = pc + (nint)m0 * n;   // [rows, K], [rows, N]
                if (accumulate) Accumulate<V, TVec>(x, pb + (nint)n0 * k, y + n0, rows, n1 - n0, n, k);
                else Product<V, TVec>(new F32Pointer(pb), x, y, rows, n, k, n0, n1);
            }
        });
    }

    /// <summary>y [rows, outputs] = x [rows, K] · w [outputs, K]ᵀ in columns [n0, n1), A's rows a tile row at a time.</summary>
    private static void Product<V, TVec>(F32Pointer w, float* x, float* y, int rows, int outputs, int k, int n0, int n1)
        where V : struct, IVectorOps<TVec> where TVec : struct
    {
        for (int t = 0; t < rows; t += Tile)
            TiledProduct<V, TVec>.Run(w, x + (nint)t * k, y + (nint)t * outputs, Math.Min(Tile, rows - t), k, outputs, n0, n1);
    }

    /// <summary>y [rows, cols] (n apart) += x [rows, K] · w [cols, K]ᵀ, the product first taken whole.</summary>
    private static void Accumulate<V, TVec>(float* x, float* w, float* y, int rows, int cols, int n, int k)
        where V : struct, IVectorOps<TVec> where TVec : struct
    {
        float* product = stackalloc float[RowBlock * ColBlock];   // [rows, cols]
        Product<V, TVec>(new F32Pointer(w), x, product, rows, cols, k, 0, cols);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) y[(nint)i * n + j] += product[i * cols + j];
    }
}
