using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tensors.Kernels;

namespace Amphista.Decoding.Drafting.Amphista;

/// <summary>
/// Staged Adaptation Layers (Li et al. 2025; SPEC §4): S causal Llama decoder layers in sequence over
/// the committed positions,
///   a^(0) = f,   a^(s) = Layer_s(a^(s-1)),   s = 1..S,   a^(s) [T, D]
/// with RoPE at the token positions. Each stage keeps its own K/V cache [C, Hkv·Dh] across decoding
/// steps (slot = position), so a step runs only the newly committed rows and, the kernels being
/// batch-invariant, gives the same bits as running the whole sequence at once. The heads read each
/// stage's output at the last committed position, kept in <see cref="Last"/>.
/// </summary>
public sealed class StagedAdaptationLayers : IDisposable
{
    private readonly IKernels kernels;
    private readonly DecoderLayerWeights[] stages;   // S
    private readonly LayerShape shape;
    private readonly RopeTable rope;
    private readonly LayerKvCache[] caches;          // S × [C, Hkv·Dh]
    private readonly LayerBuffers buffers;
    private readonly AttentionMask mask = new(0, 0);  // [T, Committed + T]
    private readonly Tensor[] outputs;               // S × [T, D]
    private Tensor x;                                // [T, D]  a^(s), advanced in place

    /// <param name="capacity">C: cache slots, one per position the base model can commit.</param>
    public StagedAdaptationLayers(IKernels kernels, DecoderLayerWeights[] stages, LayerShape shape, RopeTable rope,
        int capacity, int hiddenSize)
    {
        this.kernels = kernels;
        this.stages = stages;
        this.shape = shape;
        this.rope = rope;
        caches = stages.Select(_ => new LayerKvCache(kernels, capacity, shape.KvWidth)).ToArray();
        buffers = LayerBuffers.For(kernels, stages[0]);
        outputs = stages.Select(_ => kernels.Allocate(0, hiddenSize)).ToArray();
        x = kernels.Allocate(0, hiddenSize);
        Last = kernels.Allocate(stages.Length, hiddenSize);
    }

    /// <summary>Positions 0..Committed-1 are in the caches.</summary>
    public int Committed { get; private set; }

    /// <summary>[S, D]: row s is a^(s+1) at the last committed position.</summary>
    public Tensor Last { get; }

    /// <summary>
    /// Runs fused rows f [T, D] at positions Committed..Committed+T-1 through every stage and returns
    /// each stage's output over those rows: a^(1)..a^(S), each [T, D] (buffers that the next Extend
    /// overwrites).
    /// </summary>
    public Tensor[] Extend(Tensor fused, ReadOnlySpan<int> positions)
    {
        CheckContinues(positions, fused.Rows);
        int first = positions[0], rows = fused.Rows;
        mask.SetCausal(first, rows);
        kernels.Copy(fused, 0, Tensor.Ensure(ref x, rows), 0, rows);
        for (int s = 0; s < stages.Length; s++)
        {
            DecoderLayer.Forward(kernels, stages[s], shape, rope, x, caches[s], positions, first, mask, buffers);
            kernels.Copy(x, 0, Tensor.Ensure(ref outputs[s], rows), 0, rows);   // a^(s+1)
            kernels.Copy(x, rows - 1, Last, s, 1);
        }
        Committed += rows;
        return outputs;
    }

    public void Dispose()
    {
        foreach (var cache in caches) cache.Dispose();
        foreach (var output in outputs) output.Dispose();
        buffers.Dispose();
        x.Dispose();
        Last.Dispose();
    }

    // Slot = position holds only while positions arrive in order without gaps.
    private void CheckContinues(ReadOnlySpan<int> positions, int rows)
    {
        if (rows == 0 || positions.Length != rows)
            throw new ArgumentException(
                $"{rows} fused rows but {positions.Length} positions; need at least one of each, equally many");
        for (int i = 0; i < positions.Length; i++)
            if (positions[i] != Committed + i)
                throw new ArgumentException(
                    $"positions must continue from {Committed} without gaps; position {i} is {positions[i]}");
    }
}
