using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Amphista.Benchmarks;

/// <summary>
/// The per-token work over a 32,000-entry vocabulary (Llama's V), fast against reference: Argmax
/// (greedy decoding and acceptance), TopK with k = 10 (a drafting head's candidates), and Softmax
/// (typical acceptance), whose scalar exp per element makes it the costliest of the three. Grouped by
/// operation so each fast kernel's Ratio is against its own reference.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class VocabularyBenchmarks
{
    private const int Vocabulary = 32000;   // V

    private readonly ReferenceKernels reference = new();
    private readonly CpuKernels fast = new(1);
    private readonly int[] top = new int[10];   // [k]
    private Tensor logits = null!;              // [1, V]

    [GlobalSetup]
    public void Setup() => logits = BenchInputs.Activations(1, Vocabulary, seed: 1);

    [Benchmark(Baseline = true), BenchmarkCategory("Argmax")]
    public int ReferenceArgmax() => reference.Argmax(logits.Data);

    [Benchmark, BenchmarkCategory("Argmax")]
    public int FastArgmax() => fast.Argmax(logits.Data);

    [Benchmark(Baseline = true), BenchmarkCategory("TopK")]
    public void ReferenceTopK() => reference.TopK(logits.Data, top);

    [Benchmark, BenchmarkCategory("TopK")]
    public void FastTopK() => fast.TopK(logits.Data, top);

    // In place: later calls see probabilities rather than logits, which costs the same per element.
    [Benchmark(Baseline = true), BenchmarkCategory("Softmax")]
    public void ReferenceSoftmax() => reference.Softmax(logits);

    [Benchmark, BenchmarkCategory("Softmax")]
    public void FastSoftmax() => fast.Softmax(logits);
}
