using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using BenchmarkDotNet.Attributes;

namespace Amphista.Benchmarks;

/// <summary>
/// y [T, O] = x [T, D] · W [O, D]ᵀ on the fast kernels at decode shapes: T = 1 (one token), 4 (a short
/// chain), 16 (a small draft tree); W shaped as TinyLlama's attention (2048 × 2048) and MLP
/// (5632 × 2048) matrices, bf16 and f32. At T = 1 a call reads O·D weights once, so its time divided
/// into the matrix's bytes should approach MemoryBandwidth; at larger T the same bytes serve T rows.
/// </summary>
public class MatMulBenchmarks
{
    private const int Width = 2048;   // D

    [Params(DType.BF16, DType.F32)]
    public DType Type { get; set; }

    [Params(2048, 5632)]
    public int Outputs { get; set; }   // O

    [Params(1, 4, 16)]
    public int Rows { get; set; }      // T

    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    public static IEnumerable<int> ThreadCounts => BenchInputs.ThreadCounts();

    private CpuKernels kernels = null!;
    private ProductOperands p = null!;   // x [T, D], W [O, D], y [T, O]

    [GlobalSetup]
    public void Setup()
    {
        kernels = new CpuKernels(Threads);
        p = BenchInputs.Product(Rows, Outputs, Width, Type);
    }

    [Benchmark]
    public void MatMul() => kernels.MatMul(p.X, p.W, p.Y);
}
