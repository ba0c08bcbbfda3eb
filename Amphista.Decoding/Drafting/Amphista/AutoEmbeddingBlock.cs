using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tensors.Kernels;

namespace Amphista.Decoding.Drafting.Amphista;

/// <summary>
/// The Auto-embedding Block (Li et al. 2025; SPEC §4): bi-directional attention across the K heads.
///   z_k = a^(stage(k))_t + P_k,   z [K, D],   P [K, D] learned
///   u = Layer_B(… Layer_1(z)),    u [K, D]
/// Each layer is a pre-norm Llama decoder layer with a full K × K mask, so every head sees every
/// other head, and no RoPE: P carries the head's position. "No RoPE" is every row at position 0,
/// where the rotation is the identity bit for bit (cos 0 = 1, sin 0 = 0: x·1 − y·0 = x for finite
/// values), which reuses <see cref="DecoderLayer.Forward"/> unchanged.
/// </summary>
public sealed class AutoEmbeddingBlock : IDisposable
{
    private readonly IKernels kernels;
    private readonly AutoEmbeddingWeights weights;
    private readonly AmphistaConfig config;
    private readonly RopeTable rope;
    private readonly LayerKvCache headCache;      // [K, Hkv·Dh]: the K heads' keys and values, rewritten by every layer
    private readonly int[] unrotated;             // [K] all 0
    private readonly AttentionMask everyHead;     // [K, K] all visible
    private readonly LayerBuffers buffers;
    private readonly Tensor z;                    // [K, D]
    private readonly Tensor headEmbeddings;       // [K, D]  P, in the backend's memory

    public AutoEmbeddingBlock(IKernels kernels, AutoEmbeddingWeights weights, AmphistaConfig config, RopeTable rope)
    {
        this.kernels = kernels;
        this.weights = weights;
        this.config = config;
        this.rope = rope;
        headCache = new LayerKvCache(kernels, config.Heads, config.Shape.KvWidth);
        unrotated = new int[config.Heads];
        everyHead = AttentionMask.Full(config.Heads);
        buffers = LayerBuffers.For(kernels, weights.Layers[0]);
        z = kernels.Allocate(config.Heads, config.HiddenSize);
        headEmbeddings = kernels.Allocate(config.Heads, config.HiddenSize);
        kernels.Upload(weights.HeadEmbeddings.Span, headEmbeddings);
    }

    /// <summary>u [K, D] (a buffer the next call overwrites) from the stages' outputs at the last committed position, a [S, D].</summary>
    public Tensor Forward(Tensor stageOutputs)
    {
        Inputs(stageOutputs);
        foreach (var layer in weights.Layers)
            DecoderLayer.Forward(kernels, layer, config.Shape, rope, z, headCache, unrotated, firstSlot: 0, everyHead, buffers);
        return z;
    }

    /// <summary>z [K, D], row k = a^(stage(k))_t + P_k.</summary>
    private void Inputs(Tensor stageOutputs)
    {
        for (int k = 0; k < config.Heads; k++) kernels.Copy(stageOutputs, config.StageOf(k), z, k, 1);
        kernels.Add(z, headEmbeddings);
    }

    public void Dispose()
    {
        headCache.Dispose();
        buffers.Dispose();
        z.Dispose();
        headEmbeddings.Dispose();
    }
}
