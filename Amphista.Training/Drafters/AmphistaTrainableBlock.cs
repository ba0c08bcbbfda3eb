using Amphista.Decoding.Drafting.Amphista;
using Amphista.Tensors;
using Amphista.Training.Core;
using Amphista.Training.Layers;

namespace Amphista.Training.Drafters;

/// <summary>What the block's backward reads: per group of positions, per layer, the layer's activations.</summary>
public sealed record AmphistaBlockSaved(int Positions, DecoderLayerSaved[][] Groups);   // N; [groups][B]

/// <summary>
/// The Auto-embedding Block in training (SPEC §4 and §5; inference: AutoEmbeddingBlock), for
/// every position i of a sequence at once:
///   z_{i,k} = a^(stage(k))_i + P_k,   u_{i,·} = Layer_B(… Layer_1(z_{i,·})),   z, u [N·K, D], row i·K + k
/// The K rows of a position attend to each other (bi-directional, no RoPE: all at position 0) and to
/// no other position, so the mask over the N·K rows is block diagonal. Attention walks every slot of
/// a mask row to skip the masked ones and keeps P [rows, H, slots]: one [N·K, N·K] mask would cost
/// (N·K)² per head where N·K² are visible (1024² against 4096 for T = 256, K = 4). The layers
/// therefore run on groups of G positions, each group with its own block-diagonal [G·K, G·K] mask.
/// Grouping changes no bit: every product element is one fixed-order dot, the weight-gradient chains
/// resume from the stored float, and a group's rows see exactly the slots they would in one call.
/// </summary>
public sealed class AmphistaTrainableBlock
{
    /// <summary>
    /// G = 32: 128-row groups. Measured on 2 cores for T = 256, K = 4, D = 384, F = 1024 (block forward
    /// and backward): G = 32 or 64 ~90 ms, one [1020, 1020] mask ~100 ms, G = 16 ~113 ms, G = 1 ~170 ms;
    /// small groups lose to the per-call overhead and to rewriting the weight gradients once per group.
    /// </summary>
    public const int DefaultPositionsPerGroup = 32;

    private readonly AmphistaConfig config;
    private readonly RopeTable rope;
    private readonly int positionsPerGroup;

    public Parameter HeadEmbeddings { get; }            // [K, D]  P, row k = P_k
    public DecoderLayerParameters[] Layers { get; }     // B

    public AmphistaTrainableBlock(AmphistaConfig config, Parameter headEmbeddings, DecoderLayerParameters[] layers,
        RopeTable rope, int positionsPerGroup = DefaultPositionsPerGroup)
    {
        if (headEmbeddings.Rows != config.Heads || headEmbeddings.Cols != config.HiddenSize || layers.Length != config.BlockLayers)
            throw new ArgumentException($"block parameters {headEmbeddings} and {layers.Length} layers do not fit {config}");
        if (positionsPerGroup < 1) throw new ArgumentOutOfRangeException(nameof(positionsPerGroup), $"need at least one position per group, got {positionsPerGroup}");
        this.config = config;
        this.rope = rope;
        this.positionsPerGroup = positionsPerGroup;
        HeadEmbeddings = headEmbeddings;
        Layers = layers;
    }

    /// <summary>u [N·K, D] from the stages' outputs a^(1)..a^(S), each [N, D].</summary>
    public (Tensor U, AmphistaBlockSaved Saved) Forward(SequenceKernels kernels, Tensor[] stageOutputs)
    {
        int n = stageOutputs[0].Rows, k = config.Heads;
        var z = Inputs(stageOutputs);                              // [N·K, D]
        var u = new Tensor(n * k, config.HiddenSize);              // [N·K, D]
        var groups = new DecoderLayerSaved[GroupCount(n)][];
        for (int g = 0; g < groups.Length; g++)
        {
            var (first, count) = Group(g, n);
            var x = RowsOf(z, first * k, count * k);               // [G·K, D]  z, then each layer's output
            var mask = BlockDiagonal(count, k);                    // [G·K, G·K]
            var unrotated = new int[count * k];                    // [G·K] all 0
            groups[g] = new DecoderLayerSaved[Layers.Length];
            for (int b = 0; b < Layers.Length; b++)
                (x, groups[g][b]) = TrainableDecoderLayer.Forward(kernels, Layers[b], rope, x, unrotated, mask);
            x.Data.CopyTo(u.Data, first * k * u.Cols);
        }
        return (u, new AmphistaBlockSaved(n, groups));
    }

    /// <summary>
    /// Adds ∂/∂P into P's gradient (kernels.Grad) and returns ∂/∂a^(s) per stage (S × [N, D]) for du [N·K, D].
    /// </summary>
    public Tensor[] Backward(SequenceKernels kernels, AmphistaBlockSaved saved, Tensor du)
    {
        int n = saved.Positions, k = config.Heads, d = config.HiddenSize;
        var dz = new Tensor(n * k, d);                             // [N·K, D]
        for (int g = 0; g < saved.Groups.Length; g++)
        {
            var (first, count) = Group(g, n);
            var dy = RowsOf(du, first * k, count * k);             // [G·K, D]  ∂/∂ each layer's output, then ∂/∂z
            for (int b = Layers.Length - 1; b >= 0; b--)
            {
                var dx = new Tensor(count * k, d);                 // [G·K, D]
                TrainableDecoderLayer.Backward(kernels, Layers[b], rope, saved.Groups[g][b], dy, dx);
                dy = dx;
            }
            dy.Data.CopyTo(dz.Data, first * k * d);
        }
        return InputsBackward(kernels, dz, n);
    }

    /// <summary>Visible [G·K, G·K]: row i·K + a sees slot j·K + b exactly when i = j.</summary>
    public static AttentionMask BlockDiagonal(int positions, int heads)
    {
        var mask = new AttentionMask(positions * heads, positions * heads);
        for (int i = 0; i < positions; i++)
            for (int a = 0; a < heads; a++)
                for (int b = 0; b < heads; b++) mask[i * heads + a, i * heads + b] = true;
        return mask;
    }

    /// <summary>z [N·K, D], row i·K + k = a^(stage(k))_i + P_k.</summary>
    private Tensor Inputs(Tensor[] stageOutputs)
    {
        int n = stageOutputs[0].Rows, k = config.Heads;
        var z = new Tensor(n * k, config.HiddenSize);              // [N·K, D]
        for (int i = 0; i < n; i++)
            for (int h = 0; h < k; h++)
            {
                var row = z.Row(i * k + h);
                stageOutputs[config.StageOf(h)].Row(i).CopyTo(row);
                Add(row, HeadEmbeddings.Value.Row(h));
            }
        return z;
    }

    /// <summary>The sum z = a + P sends dz to both: dP_k += Σ_i dz_{i,k}, da^(stage(k))_i += dz_{i,k}.</summary>
    private Tensor[] InputsBackward(SequenceKernels kernels, Tensor dz, int n)
    {
        int k = config.Heads;
        var dStages = Enumerable.Range(0, config.Stages).Select(_ => new Tensor(n, config.HiddenSize)).ToArray();   // S × [N, D]
        for (int i = 0; i < n; i++)
            for (int h = 0; h < k; h++)
            {
                ReadOnlySpan<float> row = dz.Row(i * k + h);
                Add(dStages[config.StageOf(h)].Row(i), row);
                Add(kernels.Grad(HeadEmbeddings).Row(h), row);
            }
        return dStages;
    }

    private int GroupCount(int positions) => (positions + positionsPerGroup - 1) / positionsPerGroup;

    private (int First, int Count) Group(int g, int positions)
    {
        int first = g * positionsPerGroup;
        return (first, Math.Min(positionsPerGroup, positions - first));
    }

    /// <summary>A copy of rows first..first+count-1 of t [R, D] as [count, D].</summary>
    private static Tensor RowsOf(Tensor t, int first, int count) =>
        new(count, t.Cols, t.Data.AsSpan(first * t.Cols, count * t.Cols).ToArray());

    private static void Add(Span<float> into, ReadOnlySpan<float> x)
    {
        for (int i = 0; i < into.Length; i++) into[i] += x[i];
    }
}
