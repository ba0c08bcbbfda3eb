using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using BenchmarkDotNet.Attributes;

namespace Amphista.Benchmarks;

/// <summary>
/// y [T, O] = x [T, D] · W [O, D]ᵀ with W small enough to stay in one core's L2 cache (the demo
/// model's 1024 × 384 MLP matrix, bf16, 768 KB), one thread, T = 1 to 4: with no memory to wait for,
/// this is the arithmetic cost of each verified token, the floor under the verification cost curve
/// of a model whose weights are near the core. Divide by O·D / 16 for cycles per 16 weights.
/// </summary>
public class MatMulArithmeticBenchmarks
{
    private const int Outputs = 1024, Width = 384;   // O, D

    [Params(1, 2, 3, 4)]
    public int Rows { get; set; }      // T

    private readonly CpuKernels kernels = new(1);
    private ProductOperands p = null!;   // x [T, D], W [O, D], y [T, O]

    [GlobalSetup]
    public void Setup() => p = BenchInputs.Product(Rows, Outputs, Width, DType.BF16);

    [Benchmark]
    public void MatMul() => kernels.MatMul(p.X, p.W, p.Y);
}
