// The backend seam checked end to end: the same model, drafters and decoders on a GpuBackend (the CUDA device,
// or ILGPU's CPU simulator) as on the CPU kernels.
using Amphista.Decoding;
using Amphista.Decoding.Drafting;
using Amphista.Decoding.Trees;
using Amphista.Model;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tensors.Gpu;
using Amphista.Tensors.Kernels;
using Amphista.Tests.Support;

namespace Amphista.Tests.Gpu;

/// <summary>A random Llama shape for the device checks: grouped-query attention, D ≠ H·Dh, bf16 or float32.</summary>
public sealed record DeviceModel(int Width, int Mlp, int Layers, int Heads, int KvHeads, int HeadDim, int Vocab, DType Type, int Seed)
{
    public LlamaConfig Config => new(Width, Mlp, Layers, Heads, KvHeads, HeadDim, Vocab, MaxPositions: 64, RmsNormEps: 1e-6f,
        RopeTheta: 10000.0, TieWordEmbeddings: Seed % 2 == 0, BosTokenId: 1, EosTokenIds: [2]);

    /// <summary>The same weights (one host object) on two backends.</summary>
    public (LlamaModel Cpu, LlamaModel Device) Build(GpuBackend device)
    {
        var weights = LlamaWeights.Random(Config, Seed, Type, std: 0.3f);
        return (new LlamaModel(Config, weights, new CpuKernels(1)), new LlamaModel(Config, weights, device));
    }

    public int[] Prompt(int length) => [.. Enumerable.Range(0, length).Select(i => (Seed * 7 + i * 13) % Vocab)];

    /// <summary>
    /// Three tiny shapes for the simulator, where every warp's shuffles cost about a millisecond: a product costs
    /// a millisecond or two per output feature and attention about as much per head, row and visible slot.
    /// </summary>
    public static DeviceModel[] Simulator =>
    [
        new(Width: 8, Mlp: 12, Layers: 2, Heads: 2, KvHeads: 1, HeadDim: 4, Vocab: 24, DType.BF16, Seed: 1),
        new(Width: 12, Mlp: 16, Layers: 1, Heads: 2, KvHeads: 2, HeadDim: 6, Vocab: 20, DType.F32, Seed: 2),
        new(Width: 10, Mlp: 14, Layers: 2, Heads: 3, KvHeads: 1, HeadDim: 2, Vocab: 28, DType.BF16, Seed: 3),
    ];

    /// <summary>A larger shape for a real device: full warps of columns, many blocks of rows.</summary>
    public static DeviceModel[] Cuda =>
    [
        new(Width: 256, Mlp: 688, Layers: 4, Heads: 8, KvHeads: 4, HeadDim: 32, Vocab: 2000, DType.BF16, Seed: 4),
        new(Width: 96, Mlp: 160, Layers: 2, Heads: 4, KvHeads: 4, HeadDim: 24, Vocab: 700, DType.F32, Seed: 5),
    ];
}

/// <summary>Each check throws on failure, naming the model, drafter and tree.</summary>
public static class BackendChecks
{
    /// <summary>
    /// A prompt pass and cached single-token passes give the CPU's hidden states and logits up to rounding (the
    /// device sums in another order; equality of bits is only promised within one backend).
    /// </summary>
    public static void ForwardMatchesTheCpu(GpuBackend device, DeviceModel m)
    {
        var (cpu, gpu) = m.Build(device);
        int[] prompt = m.Prompt(7);
        using var cpuSequence = cpu.CreateSequenceState();
        using var gpuSequence = gpu.CreateSequenceState();
        var mask = AttentionMask.Causal(0, 5);
        int[] positions = [0, 1, 2, 3, 4];
        Compare(cpu.Forward(cpuSequence, prompt.AsSpan(0, 5), positions, 0, mask),
            gpu.Forward(gpuSequence, prompt.AsSpan(0, 5), positions, 0, mask), device, $"prompt pass hidden states, {m}");
        for (int p = 5; p < prompt.Length; p++)
        {
            mask.SetCausal(p, 1);
            var h = cpu.Forward(cpuSequence, prompt.AsSpan(p, 1), [p], p, mask);
            var hd = gpu.Forward(gpuSequence, prompt.AsSpan(p, 1), [p], p, mask);
            Compare(cpu.Logits(cpuSequence, h), gpu.Logits(gpuSequence, hd), device, $"logits at position {p}, {m}");
        }
    }

    /// <summary>
    /// Speculative decoding on the device equals greedy decoding on the device, token for token. Each waits for the
    /// device only to read indices: greedy once per token (the argmax); a speculative step once for the heads' top-k
    /// candidates (when its tree drafts) and once for every tree node's argmax, the first step once for the root.
    /// </summary>
    public static void SpeculativeEqualsGreedy(GpuBackend device, DeviceModel m, string drafterSpec, string tree, int newTokens)
    {
        var (_, gpu) = m.Build(device);
        var drafter = DrafterSpec.Create(drafterSpec, gpu.Config, heads: 3)!;
        var decoder = new SpeculativeDecoder(gpu, drafter, NamedTrees.Get(tree));
        foreach (int length in new[] { 1, 5 })
        {
            var request = new DecodeRequest(m.Prompt(length), newTokens, StopTokens: []);
            string what = $"{drafterSpec} on tree {tree} on {device.Device.Kind}, {m}, prompt of {length}";
            var (greedy, greedyReads) = Reading(device, () => new PlainDecoder(gpu).Generate(request));
            var (speculative, reads) = Reading(device, () => decoder.Generate(request));
            Assertions.SameTokens(greedy.Tokens, speculative.Tokens, what);
            Assertions.That(greedyReads == greedy.Tokens.Length, $"{what}: greedy read the device {greedyReads} times for {greedy.Tokens.Length} tokens");
            long expected = 1 + speculative.Accepted.Sum(step => step.TreeDepth > 0 ? 2 : 1);
            Assertions.That(reads == expected, $"{what}: {reads} reads of the device in {speculative.Steps} steps, expected {expected}");
        }
    }

    /// <summary>A decoding's result and how many times it read results back from the device.</summary>
    public static (DecodeResult Result, long Reads) Reading(GpuBackend device, Func<DecodeResult> decode)
    {
        long before = device.HostReads;
        var result = decode();
        return (result, device.HostReads - before);
    }

    private static void Compare(Tensor cpu, Tensor device, IKernels backend, string what) =>
        Assertions.Close(cpu.Span, backend.ToHost(device).Span, 2e-4, what);
}
