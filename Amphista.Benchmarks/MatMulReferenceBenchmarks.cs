using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using BenchmarkDotNet.Attributes;

namespace Amphista.Benchmarks;

/// <summary>
/// The fast MatMul (one thread) against ReferenceKernels, the plain-loop specification, on a small
/// shape x [4, 256] · W [256, 256]ᵀ: the Ratio column is the SIMD speed-up alone. Small because the
/// reference widens and multiplies one element at a time.
/// </summary>
public class MatMulReferenceBenchmarks
{
    private const int Size = 256;   // O = D

    [Params(DType.BF16, DType.F32)]
    public DType Type { get; set; }

    private readonly ReferenceKernels reference = new();
    private readonly CpuKernels fast = new(1);
    private ProductOperands p = null!;   // x [4, D], W [O, D], y [4, O]

    [GlobalSetup]
    public void Setup() => p = BenchInputs.Product(4, Size, Size, Type);

    [Benchmark(Baseline = true)]
    public void ReferenceMatMul() => reference.MatMul(p.X, p.W, p.Y);

    [Benchmark]
    public void FastMatMul() => fast.MatMul(p.X, p.W, p.Y);
}
