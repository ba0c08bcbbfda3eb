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
    private Tensor x = null!;          // [4, D]
    private WeightMatrix w = null!;    // [O, D]
    private Tensor y = null!;          // [4, O]

    [GlobalSetup]
    public void Setup()
    {
        x = BenchInputs.Activations(4, Size, seed: 1);
        w = BenchInputs.Weights(Size, Size, Type, seed: 2);
        y = new Tensor(4, Size);
    }

    [Benchmark(Baseline = true)]
    public void ReferenceMatMul() => reference.MatMul(x, w, y);

    [Benchmark]
    public void FastMatMul() => fast.MatMul(x, w, y);
}
