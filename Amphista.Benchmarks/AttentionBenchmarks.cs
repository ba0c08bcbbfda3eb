using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using BenchmarkDotNet.Attributes;

namespace Amphista.Benchmarks;

/// <summary>
/// One layer's attention for T new rows over 512 cached slots (causal: row t sees 512 + t + 1 slots),
/// H = 32 query heads of Dh = 64, with TinyLlama's grouped key/value heads (Hkv = 4) and full
/// multi-head attention (Hkv = 32): the part of a decode step that grows with the context.
/// </summary>
public class AttentionBenchmarks
{
    private const int Cached = 512, Heads = 32, HeadDim = 64;   // S − T, H, Dh

    [Params(1, 16)]
    public int Rows { get; set; }      // T

    [Params(4, 32)]
    public int KvHeads { get; set; }   // Hkv

    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    public static IEnumerable<int> ThreadCounts => BenchInputs.ThreadCounts();

    private CpuKernels kernels = null!;
    private Tensor q = null!;          // [T, H·Dh]
    private Tensor k = null!;          // [S, Hkv·Dh]
    private Tensor v = null!;          // [S, Hkv·Dh]
    private AttentionMask mask = null!;   // [T, S]
    private Tensor y = null!;          // [T, H·Dh]

    [GlobalSetup]
    public void Setup()
    {
        kernels = new CpuKernels(Threads);
        q = BenchInputs.Activations(Rows, Heads * HeadDim, seed: 1);
        k = BenchInputs.Activations(Cached + Rows, KvHeads * HeadDim, seed: 2);
        v = BenchInputs.Activations(Cached + Rows, KvHeads * HeadDim, seed: 3);
        mask = AttentionMask.Causal(Cached, Rows);
        y = new Tensor(Rows, Heads * HeadDim);
    }

    [Benchmark]
    public void Attention() => kernels.Attention(q, k, v, mask, HeadDim, y);
}
