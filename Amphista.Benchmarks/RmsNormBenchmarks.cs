using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using BenchmarkDotNet.Attributes;

namespace Amphista.Benchmarks;

/// <summary>
/// y [T, D] = RMSNorm(x) ⊙ g at D = 2048 (TinyLlama's width), fast against reference: run twice per
/// layer per step, cheap next to MatMul, but a fixed cost that a T-row tree pass pays once.
/// </summary>
public class RmsNormBenchmarks
{
    private const int Width = 2048;   // D

    [Params(1, 16)]
    public int Rows { get; set; }     // T

    private readonly ReferenceKernels reference = new();
    private readonly CpuKernels fast = new(1);
    private Tensor x = null!;         // [T, D]
    private float[] gains = null!;    // [D]
    private Tensor y = null!;         // [T, D]

    [GlobalSetup]
    public void Setup()
    {
        x = BenchInputs.Activations(Rows, Width, seed: 1);
        gains = new RandomWeights(2).Gains(Width);
        y = new Tensor(Rows, Width);
    }

    [Benchmark(Baseline = true)]
    public void ReferenceRmsNorm() => reference.RmsNorm(x, gains, 1e-5f, y);

    [Benchmark]
    public void FastRmsNorm() => fast.RmsNorm(x, gains, 1e-5f, y);
}
