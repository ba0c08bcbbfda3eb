using Amphista.Decoding.Sampling;
using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using BenchmarkDotNet.Attributes;

namespace Amphista.Benchmarks;

/// <summary>
/// What choosing one token costs over a vocabulary (the demo model's 4,096 and Llama's 32,000), next to
/// the argmax of greedy decoding: the lossless sampler with no limit (most tokens are skipped by their
/// noise bucket's bound), with top-k 50, and with top-p 0.9 (which ranks the whole vocabulary in a heap).
/// Logits are normal with a spread of 3, about a language model's.
/// </summary>
public class SamplerBenchmarks
{
    [Params(4096, 32000)]
    public int Vocabulary { get; set; }   // V

    private readonly CpuKernels kernels = new(1);
    private Tensor logits = null!;       // [1, V]
    private Sampler plain = null!, topK = null!, topP = null!;
    private int position;

    [GlobalSetup]
    public void Setup()
    {
        logits = new Tensor(1, Vocabulary, new RandomWeights(1).Vector(Vocabulary, 3f));
        plain = new Sampler(new SamplingSettings(1.0, Seed: 7));
        topK = new Sampler(new SamplingSettings(1.0, TopK: 50, Seed: 7));
        topP = new Sampler(new SamplingSettings(1.0, TopP: 0.9, Seed: 7));
    }

    [Benchmark(Baseline = true)]
    public int Argmax() => kernels.Argmax(logits.Data);

    [Benchmark]
    public int Sample() => plain.Choose(logits.Data, position++);

    [Benchmark]
    public int SampleTopK50() => topK.Choose(logits.Data, position++);

    [Benchmark]
    public int SampleTopP90() => topP.Choose(logits.Data, position++);
}
