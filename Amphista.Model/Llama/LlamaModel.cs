using Amphista.Model.Checkpoints;
using Amphista.Tensors;
using Amphista.Tensors.Kernels;

namespace Amphista.Model.Llama;

/// <summary>
/// The Llama base model: token embedding, L decoder layers, final RMSNorm, LM head.
/// Forward accepts T new tokens at explicit positions and cache slots with an explicit mask,
/// which is what both plain decoding and tree verification need, and returns the final normed
/// hidden states; logits are a separate step so callers compute only the rows they use.
/// A model loaded from a directory reads its BF16 and F32 matrices where they lie in the mapped
/// checkpoint files and owns those mappings: disposing it unmaps them (other models built over its
/// Weights then fail with ObjectDisposedException).
/// </summary>
public sealed class LlamaModel : IDisposable
{
    private readonly Checkpoint? checkpoint;   // the mapped files the weights lie in, when loaded from disk

    public LlamaConfig Config { get; }
    public LlamaWeights Weights { get; }
    public IKernels Kernels { get; }
    public LayerShape Shape { get; }
    public RopeTable Rope { get; }

    public LlamaModel(LlamaConfig config, LlamaWeights weights, IKernels kernels) : this(config, weights, kernels, null) { }

    private LlamaModel(LlamaConfig config, LlamaWeights weights, IKernels kernels, Checkpoint? checkpoint)
    {
        this.checkpoint = checkpoint;
        Config = config;
        Weights = weights;
        Kernels = kernels;
        Shape = new LayerShape(config.NumHeads, config.NumKvHeads, config.HeadDim, config.RmsNormEps);
        Rope = new RopeTable(config.HeadDim, config.MaxPositions, config.RopeTheta);
    }

    /// <summary>Loads config.json and the safetensors weights (single or sharded) of a model directory.</summary>
    public static LlamaModel Load(string directory, IKernels kernels)
    {
        if (!Directory.Exists(directory))
            throw new AmphistaException($"model directory '{directory}' does not exist");
        var config = LlamaConfig.Load(directory);
        var checkpoint = Checkpoint.Open(directory, inPlace: true);
        try
        {
            return new LlamaModel(config, LlamaWeights.Load(checkpoint, config), kernels, checkpoint);
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }

    public void Dispose() => checkpoint?.Dispose();

    /// <summary>
    /// A new sequence's state: a key/value cache for the whole context plus extraSlots of room for a
    /// verification tree beyond it, and the buffers of the passes over it.
    /// </summary>
    public SequenceState CreateSequenceState(int extraSlots = 0) =>
        new(new KvCache(Kernels, Config.NumLayers, Config.MaxPositions + extraSlots, Shape.KvWidth),
            new ForwardBuffers(Kernels, Config, Weights.Layers[0]));

    /// <summary>
    /// Runs tokens [T] of a sequence at positions [T], writing their keys and values at its cache's
    /// slots firstSlot..firstSlot+T-1, each row attending to the slots its mask row [T, firstSlot+T]
    /// shows. Returns the final normed hidden states h [T, D], a buffer of the sequence's that the next
    /// pass over the same sequence overwrites.
    /// </summary>
    public Tensor Forward(SequenceState sequence, ReadOnlySpan<int> tokens, ReadOnlySpan<int> positions, int firstSlot, AttentionMask mask)
    {
        CheckInputs(tokens, positions, firstSlot, mask);
        var (cache, buffers) = (sequence.Cache, sequence.Buffers);
        buffers.Use(tokens.Length);
        var x = buffers.X;                                       // [T, D]
        Kernels.Gather(Weights.Embedding, tokens, x);
        for (int l = 0; l < Config.NumLayers; l++)
            DecoderLayer.Forward(Kernels, Weights.Layers[l], Shape, Rope, x, cache.Layers[l], positions, firstSlot, mask, buffers.Layer);
        var h = buffers.Hidden;                                  // [T, D]
        Kernels.RmsNorm(x, Weights.FinalNorm, Config.RmsNormEps, h);
        return h;
    }

    /// <summary>
    /// logits [n, V] = h[rows] · W_lmᵀ for the given rows of h [T, D] (all of them by default; the
    /// last alone is ^1..), in a buffer of the sequence's: valid until the next Logits on this sequence,
    /// so a decoding loop allocates nothing. Copy what must outlive it (Kernels.ToHost).
    /// </summary>
    public Tensor Logits(SequenceState sequence, Tensor h, Range? rows = null)
    {
        var (first, n) = (rows ?? Range.All).GetOffsetAndLength(h.Rows);
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(rows), $"no rows of {h} to compute logits for");
        var buffers = sequence.Buffers;
        var input = n == h.Rows ? h : buffers.Rows(h, first, n);   // [n, D]
        var logits = buffers.Logits(n);                              // [n, V]
        Kernels.MatMul(input, Weights.LmHead, logits);
        return logits;
    }

    private void CheckInputs(ReadOnlySpan<int> tokens, ReadOnlySpan<int> positions, int firstSlot, AttentionMask mask)
    {
        if (tokens.IsEmpty) throw new InputException("no tokens to run");
        if (positions.Length != tokens.Length)
            throw new ArgumentException($"{tokens.Length} tokens but {positions.Length} positions");
        if (mask.Rows != tokens.Length || mask.Slots != firstSlot + tokens.Length)
            throw new ArgumentException($"mask [{mask.Rows}, {mask.Slots}] does not fit {tokens.Length} tokens at slot {firstSlot}");
        foreach (int id in tokens)
            if ((uint)id >= (uint)Config.VocabSize)
                throw new InputException($"token id {id} is outside the vocabulary [0, {Config.VocabSize})");
        foreach (int p in positions)
            if ((uint)p >= (uint)Config.MaxPositions)
                throw new InputException($"position {p} is beyond the model's context of {Config.MaxPositions} tokens");
    }
}
