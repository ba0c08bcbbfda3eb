using Amphista.Tensors;
using Amphista.Training.Core;
using Amphista.Training.Layers;

namespace Amphista.Training.Drafters;

/// <summary>What the heads' backward reads, per head k: the residual block's and the norm's inputs, and the logits [N, V].</summary>
public sealed record AmphistaHeadsSaved(ResidualBlockSaved[] Blocks, RmsNormSaved[] Norms, Tensor[] Logits);

/// <summary>
/// The drafting heads and the loss in training (SPEC §4 and §5; inference:
/// DraftingHead), over the block outputs u [N·K, D] (row i·K + k):
///   logits_{i,k} = W_lm RMSNorm_k(u_{i,k} + SiLU(W_k u_{i,k} + b_k)),   W_k [D, D], b_k, g_k [1, D], W_lm [V, D]
///   loss = Σ_k λ^k · mean_i CE(logits_{i,k}, s_{i+2+k})   over the i with i + 2 + k &lt; T
/// W_lm is the base model's LM head, shared and frozen: only its input gradient flows.
/// </summary>
public sealed class AmphistaTrainableHeads
{
    private readonly FrozenLinear lmHead;   // W_lm [V, D]
    private readonly float eps;
    private readonly float lossDecay;       // λ

    public Parameter[] Linear { get; }      // K × [D, D]  W_k
    public Parameter[] Bias { get; }        // K × [1, D]  b_k
    public Parameter[] Norm { get; }        // K × [1, D]  g_k

    public AmphistaTrainableHeads(Parameter[] linear, Parameter[] bias, Parameter[] norm, FrozenLinear lmHead, float eps, float lossDecay)
    {
        int d = lmHead.Cols;
        bool fits = linear.Length == bias.Length && linear.Length == norm.Length
            && linear.All(w => w.Rows == d && w.Cols == d) && bias.Concat(norm).All(v => v.Rows == 1 && v.Cols == d);
        if (!fits) throw new ArgumentException($"head parameters {string.Join(", ", linear.Concat(bias).Concat(norm))} do not fit width {d}");
        (Linear, Bias, Norm, this.lmHead, this.eps, this.lossDecay) = (linear, bias, norm, lmHead, eps, lossDecay);
    }

    public int Heads => Linear.Length;   // K

    /// <summary>
    /// Per head k, logits [N, V] for u [N·K, D], kept for the loss. Each head's N rows go
    /// through W_lm in one product: Gemm costs the same per row in one [N·K, V] call or K [N, V] calls
    /// (W_lm streams once per 64-row block either way; measured 23 ms both ways for N = 255, K = 4,
    /// V = 4096, D = 384 on 2 cores), and a head's own tensor is what its λ^k-weighted mean needs.
    /// </summary>
    public AmphistaHeadsSaved Forward(SequenceKernels kernels, Tensor u)
    {
        var blocks = new ResidualBlockSaved[Heads];
        var norms = new RmsNormSaved[Heads];
        var logits = new Tensor[Heads];
        for (int k = 0; k < Heads; k++)
        {
            var uk = HeadRows(u, k);                                              // [N, D]  u_{·,k}
            var (residual, blockSaved) = ResidualBlock.Forward(kernels, uk, Linear[k], Bias[k]);   // [N, D]
            var (normed, normSaved) = RmsNorm.Forward(kernels, residual, Norm[k], eps);    // [N, D]
            (blocks[k], norms[k], logits[k]) = (blockSaved, normSaved, lmHead.Forward(kernels, normed));   // [N, V]
        }
        return new AmphistaHeadsSaved(blocks, norms, logits);
    }

    /// <summary>
    /// The loss of tokens s [T] and its backward: adds scale · ∂loss/∂θ into the heads' gradients and
    /// returns the statistics and scale · ∂loss/∂u [N·K, D].
    /// </summary>
    public (HeadStatistics Statistics, Tensor DU) Backward(SequenceKernels kernels, AmphistaHeadsSaved saved, int[] tokens, float scale, Tensor? teacher = null)
    {
        int n = saved.Logits[0].Rows, d = lmHead.Cols;
        var statistics = HeadStatistics.Zero(Heads);
        var du = new Tensor(n * Heads, d);                    // [N·K, D]
        var dLogits = new Tensor(n, lmHead.Rows);             // [N, V], reused by every head
        for (int k = 0; k < Heads; k++)
        {
            var targets = Targets(tokens, n, k);              // [N]
            // Unweighted CE so the statistics stay exact at any scale; the weight then multiplies dn [N, D], not dz [N, V].
            HeadLoss.Add(kernels, k, saved.Logits[k], targets, teacher, dLogits, statistics);

            var dNormed = new Tensor(n, d);                   // [N, D]
            lmHead.Backward(kernels, dLogits, dNormed);
            float weight = scale * MathF.Pow(lossDecay, k);
            for (int i = 0; i < dNormed.Data.Length; i++) dNormed.Data[i] *= weight;
            var dResidual = new Tensor(n, d);                 // [N, D]
            RmsNorm.Backward(kernels, saved.Norms[k], Norm[k], dNormed, dResidual);
            var duk = new Tensor(n, d);                       // [N, D]
            ResidualBlock.Backward(kernels, saved.Blocks[k], Linear[k], Bias[k], dResidual, duk);
            for (int i = 0; i < n; i++) duk.Row(i).CopyTo(du.Row(i * Heads + k));
        }
        return (statistics, du);
    }

    /// <summary>Head k at position i guesses s_{i+2+k}; past the end of the sequence nothing counts.</summary>
    public static int[] Targets(int[] tokens, int positions, int head) =>
        Enumerable.Range(0, positions)
            .Select(i => i + 2 + head < tokens.Length ? tokens[i + 2 + head] : CrossEntropy.IgnoreIndex).ToArray();

    /// <summary>Head k's rows of u [N·K, D] as [N, D].</summary>
    private Tensor HeadRows(Tensor u, int k)
    {
        int n = u.Rows / Heads;
        var rows = new Tensor(n, u.Cols);   // [N, D]
        for (int i = 0; i < n; i++) u.Row(i * Heads + k).CopyTo(rows.Row(i));
        return rows;
    }
}
