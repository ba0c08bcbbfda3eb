using Amphista.Decoding.Drafting;
using Amphista.Decoding.Drafting.Amphista;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Training.Core;
using Amphista.Training.Layers;

namespace Amphista.Training.Drafters;

/// <summary>
/// The Amphista drafter in training (SPEC §4 and §5), with
/// the base model frozen. One sequence is tokens s [T] and the base model's hidden states h [T, D];
/// the rows are the N = T − 1 positions i that have a following token, each computed exactly as an
/// inference session that has committed positions 0..i computes it:
///   fusion  f_i = W_fuse [h_i ; E(s_{i+1})]                              joined [N, 2D], f [N, D]
///   stages  a^(0) = f, a^(s) = Layer_s(a^(s−1)), causal, RoPE at i        a^(s) [N, D]
///   block   z_{i,k} = a^(stage(k))_i + P_k, bi-directional within i       z, u [N·K, D]
///   heads   logits_{i,k} = W_lm RMSNorm_k(u_{i,k} + SiLU(W_k u_{i,k} + b_k))   K × [N, V]
///   loss    Σ_k λ^k · mean_i CE(logits_{i,k}, s_{i+2+k}),  i + 2 + k &lt; T
/// Backward runs the same steps in reverse; E and W_lm are the base model's, frozen. Every parameter
/// is named by its key in the inference checkpoint (<see cref="AmphistaCheckpoint"/>).
/// </summary>
public sealed class AmphistaTrainable : ITrainableDrafter
{
    private readonly LlamaModel model;
    private readonly FrozenLinear embedding;             // E [V, D]
    private readonly RopeTable rope;
    private readonly Parameter fusion;                   // [D, 2D]  W_fuse
    private readonly DecoderLayerParameters[] stages;    // S
    private readonly AmphistaTrainableBlock block;
    private readonly AmphistaTrainableHeads heads;

    private AmphistaTrainable(LlamaModel model, AmphistaWeights w)
    {
        var c = w.Config;
        var m = model.Config;
        if (c.HiddenSize != m.HiddenSize || c.VocabSize != m.VocabSize || c.MaxPositions < m.MaxPositions)
            throw new ArgumentException(
                $"Amphista drafter for hidden size {c.HiddenSize} / vocab {c.VocabSize} / {c.MaxPositions} positions does not fit " +
                $"the base model's hidden size {m.HiddenSize} / vocab {m.VocabSize} / {m.MaxPositions} positions");
        if (!c.SharedLmHead)
            throw new ArgumentException("training keeps the LM head shared with the base model and frozen; this drafter has one per head (shared_lm_head: false)");
        this.model = model;
        Config = c;
        embedding = new FrozenLinear(model.Weights.Embedding);
        rope = new RopeTable(c.HeadDim, c.MaxPositions, c.RopeTheta);
        fusion = Parameter.From(AmphistaCheckpoint.FusionKey, w.Fusion);
        stages = w.Stages.Select((l, s) => Layer(AmphistaCheckpoint.StagePrefix(s), l, c.Shape)).ToArray();
        block = new AmphistaTrainableBlock(c,
            new Parameter(AmphistaCheckpoint.HeadEmbeddingsKey, Copy(w.AutoEmbedding.HeadEmbeddings), decays: true),
            w.AutoEmbedding.Layers.Select((l, b) => Layer(AmphistaCheckpoint.BlockLayerPrefix(b), l, c.Shape)).ToArray(), rope);
        heads = new AmphistaTrainableHeads(
            w.Heads.Select((h, k) => Parameter.From(AmphistaCheckpoint.HeadPrefix(k) + "linear.weight", h.Linear)).ToArray(),
            w.Heads.Select((h, k) => Vector(AmphistaCheckpoint.HeadPrefix(k) + "linear.bias", h.Bias)).ToArray(),
            w.Heads.Select((h, k) => Vector(AmphistaCheckpoint.HeadPrefix(k) + "norm.weight", h.Norm)).ToArray(),
            new FrozenLinear(model.Weights.LmHead), c.RmsNormEps, c.LossDecay);
        Parameters = new ParameterSet([
            fusion, .. stages.SelectMany(l => l.All), block.HeadEmbeddings, .. block.Layers.SelectMany(l => l.All),
            .. Enumerable.Range(0, c.Heads).SelectMany(k => new[] { heads.Linear[k], heads.Bias[k], heads.Norm[k] })]);
    }

    public AmphistaConfig Config { get; }

    public int Heads => Config.Heads;

    public ParameterSet Parameters { get; }

    /// <summary>
    /// A fresh drafter for a base model: its layers shaped like the base model's (AmphistaConfig.ForBaseModel)
    /// with MLP width mlpWidth and, when attentionHeads is given, that many query and key/value heads of the
    /// base model's head width (fewer heads make the stage and block layers' projections cheaper). It starts where Medusa starts, every head close to the base model's own
    /// next-token guess: W_fuse = [I | 0] passes h_i through unchanged, the head matrices W_k are 0 (the
    /// residual block is then the identity, and RMSNorm_k with gain 1 only rescales h), and the stage and
    /// block layers and P are AmphistaWeights.Random's, whose N(0, 0.02) matrices make each layer a
    /// small residual update. A random W_fuse would hand the shared LM head a random mix of h and
    /// E(s_{i+1}), and the heads would start from noise. The E half starts at 0 and is learned.
    /// </summary>
    public static AmphistaTrainable Create(LlamaModel model, int heads, int stages, int blockLayers, int mlpWidth, int seed,
        float? lossDecay = null, int? attentionHeads = null)
    {
        var sized = AmphistaConfig.ForBaseModel(model.Config, heads, stages, blockLayers);
        var config = sized with
        {
            AdaptationIntermediateSize = mlpWidth,
            NumHeads = attentionHeads ?? sized.NumHeads,
            NumKvHeads = attentionHeads ?? sized.NumKvHeads,
            LossDecay = lossDecay ?? sized.LossDecay,
        };
        config.Validate();
        var random = AmphistaWeights.Random(config, seed);
        int d = config.HiddenSize;
        var passHidden = new float[d * 2 * d];   // [D, 2D]  [I | 0]
        for (int i = 0; i < d; i++) passHidden[i * 2 * d + i] = 1f;
        return new AmphistaTrainable(model, random with
        {
            Fusion = WeightMatrix.FromF32(d, 2 * d, passHidden),
            Heads = random.Heads.Select(h => h with { Linear = WeightMatrix.FromF32(d, d, new float[d * d]) }).ToArray(),
        });
    }

    /// <summary>Continues from inference weights (a checkpoint's, say); bf16 matrices are widened to float32, exactly.</summary>
    public static AmphistaTrainable FromWeights(LlamaModel model, AmphistaWeights weights) => new(model, weights);

    public HeadStatistics Accumulate(SequenceKernels kernels, Tensor hidden, int[] tokens, float scale, Tensor? teacher = null)
    {
        Check(hidden, tokens);
        if (tokens.Length < 2) return HeadStatistics.Zero(Heads);
        var pass = Forward(kernels, hidden, tokens);
        var (statistics, du) = heads.Backward(kernels, pass.Heads, tokens, scale, teacher);   // [N·K, D]
        var dStages = block.Backward(kernels, pass.Block, du);                       // S × [N, D]
        var df = StagesBackward(kernels, pass.Stages, dStages);                      // [N, D]
        Linear.Backward(kernels, pass.Joined, fusion, null, df, dx: null);
        return statistics;
    }

    /// <summary>Head k's logits at every position with a following token, K × [T − 1, V]: what a session gives after committing 0..i.</summary>
    public Tensor[] Logits(SequenceKernels kernels, Tensor hidden, int[] tokens)
    {
        Check(hidden, tokens);
        if (tokens.Length < 2) throw new ArgumentException($"{tokens.Length} tokens: no position has a following token to fuse");
        return Forward(kernels, hidden, tokens).Heads.Logits;
    }

    public IDrafter ToDrafter() => new AmphistaDrafter(ToWeights());

    /// <summary>The inference checkpoint, its matrices stored in the base model's weight type.</summary>
    public void Save(string directory) => ToWeights().StoredAs(model.Weights.LmHead.Type).Save(directory);

    /// <summary>Float32 copies of the current parameters in the inference layout.</summary>
    public AmphistaWeights ToWeights() => new(Config,
        fusion.ToWeightMatrix(),
        stages.Select(l => l.ToInferenceWeights()).ToArray(),
        new AutoEmbeddingWeights(Copy(block.HeadEmbeddings.Value), block.Layers.Select(l => l.ToInferenceWeights()).ToArray()),
        Enumerable.Range(0, Heads).Select(k => new DraftingHeadWeights(heads.Linear[k].ToWeightMatrix(),
            heads.Bias[k].Value.Data.ToArray(), heads.Norm[k].Value.Data.ToArray(), null)).ToArray());

    private sealed record Pass(Tensor Joined, DecoderLayerSaved[] Stages, AmphistaBlockSaved Block, AmphistaHeadsSaved Heads);

    private Pass Forward(SequenceKernels kernels, Tensor hidden, int[] tokens)
    {
        int n = tokens.Length - 1;
        var joined = Join(hidden, tokens);                        // [N, 2D]  [h_i ; E(s_{i+1})]
        var a = Linear.Forward(kernels, joined, fusion, null);             // [N, D]   f = a^(0)
        var positions = Enumerable.Range(0, n).ToArray();         // [N]
        var causal = AttentionMask.Causal(0, n);                  // [N, N]
        var stageSaved = new DecoderLayerSaved[stages.Length];
        var stageOutputs = new Tensor[stages.Length];             // S × [N, D]  a^(1)..a^(S)
        for (int s = 0; s < stages.Length; s++)
        {
            (a, stageSaved[s]) = TrainableDecoderLayer.Forward(kernels, stages[s], rope, a, positions, causal);
            stageOutputs[s] = a;
        }
        var (u, blockSaved) = block.Forward(kernels, stageOutputs);        // [N·K, D]
        var headsSaved = heads.Forward(kernels, u);                        // logits K × [N, V]
        return new Pass(joined, stageSaved, blockSaved, headsSaved);
    }

    /// <summary>
    /// ∂/∂f [N, D] from ∂/∂a^(s) as the block sent it: a^(s) feeds both the block and stage s + 1, so
    /// stage s + 1's input gradient is added onto the block's before stage s runs backward.
    /// </summary>
    private Tensor StagesBackward(SequenceKernels kernels, DecoderLayerSaved[] saved, Tensor[] dStages)
    {
        var da = dStages[^1];                                      // [N, D]
        for (int s = stages.Length - 1; s >= 0; s--)
        {
            var dPrevious = s > 0 ? dStages[s - 1] : new Tensor(da.Rows, da.Cols);   // [N, D]
            TrainableDecoderLayer.Backward(kernels, stages[s], rope, saved[s], da, dPrevious);
            da = dPrevious;
        }
        return da;
    }

    /// <summary>[h_i ; E(s_{i+1})] [N, 2D], h first, for i = 0..T−2.</summary>
    private Tensor Join(Tensor hidden, int[] tokens)
    {
        int n = tokens.Length - 1, d = Config.HiddenSize;
        var following = embedding.Lookup(tokens.AsSpan(1));       // [N, D]
        var joined = new Tensor(n, 2 * d);                        // [N, 2D]
        for (int i = 0; i < n; i++)
        {
            hidden.Row(i).CopyTo(joined.Row(i));
            following.Row(i).CopyTo(joined.Row(i)[d..]);
        }
        return joined;
    }

    private void Check(Tensor hidden, int[] tokens)
    {
        if (hidden.Rows != tokens.Length || hidden.Cols != Config.HiddenSize)
            throw new ArgumentException($"hidden states {hidden} do not fit {tokens.Length} tokens of width {Config.HiddenSize}");
        if (tokens.Length > model.Config.MaxPositions)
            throw new ArgumentException($"{tokens.Length} tokens exceed the base model's {model.Config.MaxPositions} positions");
        foreach (int id in tokens)
            if ((uint)id >= (uint)Config.VocabSize)
                throw new ArgumentOutOfRangeException(nameof(tokens), $"token id {id} outside the vocabulary [0, {Config.VocabSize})");
    }

    private static DecoderLayerParameters Layer(string prefix, DecoderLayerWeights l, LayerShape shape) => new(shape,
        Vector(prefix + DecoderLayerNames.AttentionNorm, l.AttentionNorm),
        Parameter.From(prefix + DecoderLayerNames.Wq, l.Wq),
        Parameter.From(prefix + DecoderLayerNames.Wk, l.Wk),
        Parameter.From(prefix + DecoderLayerNames.Wv, l.Wv),
        Parameter.From(prefix + DecoderLayerNames.Wo, l.Wo),
        Vector(prefix + DecoderLayerNames.MlpNorm, l.MlpNorm),
        Parameter.From(prefix + DecoderLayerNames.Gate, l.Gate),
        Parameter.From(prefix + DecoderLayerNames.Up, l.Up),
        Parameter.From(prefix + DecoderLayerNames.Down, l.Down));

    /// <summary>A gain or bias [1, D], not decayed.</summary>
    private static Parameter Vector(string name, float[] v) => new(name, new Tensor(1, v.Length, v.ToArray()), decays: false);

    private static Tensor Copy(Tensor t) => new(t.Rows, t.Cols, t.Data.ToArray());
}
