using Amphista.Decoding.Drafting;
using Amphista.Decoding.Drafting.Medusa;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Training.Core;
using Amphista.Training.Layers;

namespace Amphista.Training.Drafters;

/// <summary>
/// Medusa heads in training (SPEC §3b and §5). Head k (0-based) over the
/// base model's hidden states h [T, D]:
///   x_0 = h,  x_{l+1} = x_l + SiLU(W_{k,l} x_l + b_{k,l}),  logits_k = x_L · W_lmᵀ   [T, V]
/// W [D, D], b [1, D]; W_lm [V, D] is the base model's LM head, frozen and shared, or head k's own
/// trainable copy of it (Medusa-1's format). Row i of logits_k is trained on s_{i+2+k} with weight λ^k:
///   loss = Σ_k λ^k · mean_i CE(logits_k[i], s_{i+2+k}).
/// Initialisation is Medusa's: W = 0, so every block starts as the identity and every head as a copy of
/// the base model's next-token guess, from which training moves it a position further; b = 0 too
/// (Medusa keeps nn.Linear's uniform bias; zero makes the start exactly the identity). W = 0 still has
/// a gradient, dW = (dy ⊙ SiLU'(0))ᵀ x = ½ dyᵀ x. Parameters carry the inference checkpoint's keys
/// ({k}.{l}.linear.weight, {k}.{l}.linear.bias, {k}.{L}.weight), so export is a copy into MedusaWeights.
/// </summary>
public sealed class MedusaTrainable : ITrainableDrafter
{
    public const float DefaultLossDecay = 0.8f;

    private readonly FrozenLinear sharedLmHead;   // [V, D]  the base model's W_lm
    private readonly DType storedType;             // the base model's weight type, the checkpoint's
    private readonly Parameter[][] weights;        // [K][L]  W [D, D]
    private readonly Parameter[][] biases;         // [K][L]  b [1, D]
    private readonly Parameter?[] lmHeads;         // [K]     own W_lm [V, D]; null when shared

    public MedusaConfig Config { get; }

    /// <summary>λ, the loss weight ratio between consecutive heads.</summary>
    public float LossDecay { get; }

    public int Heads => Config.Heads;

    public ParameterSet Parameters { get; }

    private MedusaTrainable(MedusaWeights start, WeightMatrix baseLmHead, float lossDecay)
    {
        var c = start.Config;
        c.Validate();
        if (baseLmHead.Rows != c.VocabSize || baseLmHead.Cols != c.HiddenSize)
            throw new ArgumentException($"base LM head [{baseLmHead.Rows}, {baseLmHead.Cols}] does not fit Medusa heads of {c}");
        if (!(lossDecay > 0f && lossDecay <= 1f)) throw new ArgumentOutOfRangeException(nameof(lossDecay), $"loss decay λ must be in (0, 1], got {lossDecay}");
        (Config, LossDecay) = (c, lossDecay);
        sharedLmHead = new FrozenLinear(baseLmHead);
        storedType = baseLmHead.Type;
        weights = new Parameter[c.Heads][];
        biases = new Parameter[c.Heads][];
        lmHeads = new Parameter?[c.Heads];
        Parameters = new ParameterSet();
        for (int k = 0; k < c.Heads; k++)
        {
            var head = start.Heads[k];
            weights[k] = new Parameter[c.Layers];
            biases[k] = new Parameter[c.Layers];
            for (int l = 0; l < c.Layers; l++)
            {
                weights[k][l] = Parameter.From(MedusaConfig.BlockWeightKey(k, l), head.Blocks[l].Weight);
                biases[k][l] = new Parameter(MedusaConfig.BlockBiasKey(k, l), new Tensor(1, c.HiddenSize, head.Blocks[l].Bias.ToArray()), decays: false);
                Parameters.Add(weights[k][l]);
                Parameters.Add(biases[k][l]);
            }
            if (c.SharedLmHead) continue;
            var own = head.LmHead ?? throw new ArgumentException($"head {k} has no LM head of its own but the config does not share the base model's");
            lmHeads[k] = Parameter.From(MedusaConfig.LmHeadKey(k, c.Layers), own);
            Parameters.Add(lmHeads[k]!);
        }
    }

    /// <summary>
    /// Fresh heads for this base model, initialised as described above; own LM heads (sharedLmHead
    /// false) start as copies of the base model's. baseModel is recorded in the exported config.
    /// </summary>
    public static MedusaTrainable Create(LlamaModel model, int heads, int layers = 1, bool sharedLmHead = true,
        float lossDecay = DefaultLossDecay, string? baseModel = null)
    {
        int d = model.Config.HiddenSize;
        var config = new MedusaConfig(heads, layers, d, model.Config.VocabSize, sharedLmHead, baseModel);
        config.Validate();
        var start = Enumerable.Range(0, heads).Select(_ => new MedusaHead(
            [.. Enumerable.Range(0, layers).Select(_ => new ResBlock(WeightMatrix.FromF32(d, d, new float[d * d]), new float[d]))],
            sharedLmHead ? null : model.Weights.LmHead)).ToArray();
        return new MedusaTrainable(new MedusaWeights(config, start), model.Weights.LmHead, lossDecay);
    }

    /// <summary>Continues from existing heads (a checkpoint, or random ones in tests); baseLmHead is the base model's W_lm [V, D].</summary>
    public static MedusaTrainable FromWeights(MedusaWeights weights, WeightMatrix baseLmHead, float lossDecay = DefaultLossDecay) =>
        new(weights, baseLmHead, lossDecay);

    /// <summary>logits_k [T, V] at every row of hidden [T, D], for each head k: what the exported drafter computes at a row.</summary>
    public Tensor[] Logits(SequenceKernels kernels, Tensor hidden)
    {
        CheckHidden(hidden);
        return [.. Enumerable.Range(0, Heads).Select(k => Forward(kernels, k, hidden).Logits)];
    }

    public HeadStatistics Accumulate(SequenceKernels kernels, Tensor hidden, int[] tokens, float scale, Tensor? teacher = null)
    {
        CheckHidden(hidden);
        if (tokens.Length != hidden.Rows) throw new ArgumentException($"{tokens.Length} tokens for hidden states {hidden}");
        int T = tokens.Length, D = Config.HiddenSize, V = Config.VocabSize;
        var stats = HeadStatistics.Zero(Heads);
        for (int k = 0; k < Heads; k++)
        {
            // Only rows i with a target s_{i+2+k} inside the sequence take part; the rest would only be ignored.
            int rows = T - 2 - k;
            if (rows <= 0) continue;
            var h = new Tensor(rows, D, hidden.Data.AsSpan(0, rows * D).ToArray());   // [R, D]
            var (logits, top, saved) = Forward(kernels, k, h);
            var targets = tokens.AsSpan(2 + k, rows);
            var dLogits = new Tensor(rows, V);                                         // [R, V]
            HeadLoss.Add(kernels, k, logits, targets, teacher, dLogits, stats);

            // Cross-entropy ran at weight 1 so its loss is the head's own; the step's weight is applied here.
            float weight = scale * MathF.Pow(LossDecay, k);
            for (int i = 0; i < dLogits.Data.Length; i++) dLogits.Data[i] *= weight;
            var dx = new Tensor(rows, D);                                              // [R, D]  dloss/dx_L
            if (lmHeads[k] is { } own) Linear.Backward(kernels, top, own, null, dLogits, dx);
            else sharedLmHead.Backward(kernels, dLogits, dx);
            for (int l = Config.Layers - 1; l >= 0; l--)
            {
                var dIn = new Tensor(rows, D);                                         // [R, D]  dloss/dx_l
                ResidualBlock.Backward(kernels, saved[l], weights[k][l], biases[k][l], dx, dIn);
                dx = dIn;
            }
        }
        return stats;
    }

    public IDrafter ToDrafter() => new MedusaDrafter(ToWeights());

    /// <summary>The inference checkpoint, its matrices stored in the base model's weight type.</summary>
    public void Save(string directory) => ToWeights().StoredAs(storedType).Save(directory);

    /// <summary>Float32 copies of the current weights in the inference layout.</summary>
    public MedusaWeights ToWeights() => new(Config, [.. Enumerable.Range(0, Heads).Select(k => new MedusaHead(
        [.. Enumerable.Range(0, Config.Layers).Select(l => new ResBlock(weights[k][l].ToWeightMatrix(), biases[k][l].Value.Data.ToArray()))],
        lmHeads[k]?.ToWeightMatrix()))]);

    /// <summary>Head k on h [T, D]: logits [T, V], the last residual x_L [T, D], and what each block's backward needs.</summary>
    private (Tensor Logits, Tensor Top, ResidualBlockSaved[] Saved) Forward(SequenceKernels kernels, int k, Tensor h)
    {
        var saved = new ResidualBlockSaved[Config.Layers];
        var x = h;   // [T, D]
        for (int l = 0; l < Config.Layers; l++) (x, saved[l]) = ResidualBlock.Forward(kernels, x, weights[k][l], biases[k][l]);
        var logits = lmHeads[k] is { } own ? Linear.Forward(kernels, x, own, null) : sharedLmHead.Forward(kernels, x);   // [T, V]
        return (logits, x, saved);
    }

    private void CheckHidden(Tensor hidden)
    {
        if (hidden.Cols != Config.HiddenSize) throw new ArgumentException($"hidden states {hidden} do not have the heads' width {Config.HiddenSize}");
    }
}
