using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Amphista.Tensors;
using Amphista.Training.Core;

namespace Amphista.Training.Layers;

/// <summary>Mean loss over the counted rows and how many rows counted (targets other than −1).</summary>
public readonly record struct CrossEntropyResult(float Loss, int Count);

/// <summary>
/// Softmax cross-entropy over logits z [T, V] with integer targets [T] (−1: row ignored):
///   loss_t = log Σ_v exp(z_tv − m_t) − (z_t,target − m_t),  m_t = max_v z_tv (so exp never overflows),
///   L = scale · Σ_counted loss_t / count.
/// Fused backward: dz_t = scale · (softmax(z_t) − onehot(target_t)) / count, and 0 on ignored rows.
/// scale carries a per-head weight such as Medusa's λ^(k−1). Each row's exponentials are taken once,
/// by the inference kernels' <see cref="Tensors.Kernels.FixedExp"/> into the gradient row, and summed
/// in the reduction order; then that row is scaled in place. The row losses are summed in row order
/// in double.
/// </summary>
public static class CrossEntropy
{
    public const int IgnoreIndex = -1;

    /// <summary>Returns L; when dLogits [T, V] is given, overwrites it with dL/dz.</summary>
    public static CrossEntropyResult Compute(SequenceKernels k, Tensor logits, ReadOnlySpan<int> targets, Tensor? dLogits, float scale = 1f)
    {
        int T = logits.Rows, V = logits.Cols;
        if (targets.Length != T) throw new ArgumentException($"{targets.Length} targets for logits {logits}");
        CheckGradient(logits, dLogits);
        int count = 0;
        foreach (int target in targets)
        {
            if (target == IgnoreIndex) continue;
            if ((uint)target >= (uint)V) throw new ArgumentOutOfRangeException(nameof(targets), $"target {target} outside [0, {V}) and not {IgnoreIndex}");
            count++;
        }
        float gradScale = count == 0 ? 0f : scale / count;
        int[] targetIds = targets.ToArray();   // [T]
        return Rows(k, logits, targetIds, dLogits, count, scale, (t, z, e, max, sum) =>
        {
            if (dLogits is not null)
            {
                TensorPrimitives.Divide(e, sum, e);
                TensorPrimitives.Multiply(e, gradScale, e);
                e[targetIds[t]] -= gradScale;
            }
            return MathF.Log(sum) - (z[targetIds[t]] - max);
        });
    }

    /// <summary>
    /// Soft targets (distillation): row t of logits z [T, V] against the distribution p = teacher row
    /// firstTeacherRow + t of teacher [·, V], on the rows whose targets[t] is not −1:
    ///   loss_t = −Σ_v p_v log softmax(z_t)_v,   dz_t = scale · (softmax(z_t) − p) / count.
    /// With p one-hot at targets[t] this is <see cref="Compute"/> exactly (tested).
    /// </summary>
    public static CrossEntropyResult ComputeSoft(SequenceKernels k, Tensor logits, Tensor teacher, int firstTeacherRow, ReadOnlySpan<int> targets,
        Tensor? dLogits, float scale = 1f)
    {
        int T = logits.Rows, V = logits.Cols;
        if (targets.Length != T) throw new ArgumentException($"{targets.Length} targets for logits {logits}");
        if (teacher.Cols != V) throw new ArgumentException($"teacher {teacher} for logits {logits}");
        CheckGradient(logits, dLogits);
        int count = 0;
        for (int t = 0; t < T; t++)
        {
            if (targets[t] == IgnoreIndex) continue;
            if (firstTeacherRow + t < 0 || firstTeacherRow + t >= teacher.Rows)
                throw new ArgumentOutOfRangeException(nameof(firstTeacherRow), $"row {t} needs teacher row {firstTeacherRow + t} of {teacher}");
            count++;
        }
        float gradScale = count == 0 ? 0f : scale / count;
        return Rows(k, logits, targets.ToArray(), dLogits, count, scale, (t, z, e, max, sum) =>
        {
            var p = teacher.Row(firstTeacherRow + t);
            float logSum = MathF.Log(sum);
            double loss = 0;
            for (int v = 0; v < z.Length; v++)
                if (p[v] != 0f) loss -= p[v] * (z[v] - max - logSum);
            if (dLogits is not null)
            {
                TensorPrimitives.Divide(e, sum, e);
                TensorPrimitives.Subtract(e, p, e);
                TensorPrimitives.Multiply(e, gradScale, e);
            }
            return loss;
        });
    }

    /// <summary>Row t's loss from z [V], e = exp(z − max) [V] and sum = Σ e; when there is a gradient, e is the gradient row to finish.</summary>
    private delegate double RowLoss(int t, ReadOnlySpan<float> z, Span<float> e, float max, float sum);

    /// <summary>
    /// Every row of logits [T, V] whose target is not −1, in row order: its exponentials into its dLogits row
    /// (or a scratch row), then row gives its loss; ignored rows get a zero gradient. L as <see cref="Mean"/>.
    /// </summary>
    private static CrossEntropyResult Rows(SequenceKernels k, Tensor logits, int[] targets, Tensor? dLogits, int count, float scale, RowLoss row)
    {
        var rowLoss = new double[logits.Rows];                                // [T]
        var scratch = dLogits is null ? new float[logits.Cols] : null;        // [V] the exponentials when no gradient row takes them
        for (int t = 0; t < logits.Rows; t++)
        {
            if (targets[t] == IgnoreIndex)
            {
                dLogits?.Row(t).Clear();
                continue;
            }
            var z = logits.Row(t);
            var e = dLogits is null ? scratch : dLogits.Row(t);
            var (max, sum) = Exponentials(k, z, e);
            rowLoss[t] = row(t, z, e, max, sum);
        }
        return Mean(rowLoss, count, scale);
    }

    /// <summary>m = max_v z_v, e_v = exp(z_v − m) [V], and Σ_v e_v in the reduction order (so exp never overflows).</summary>
    private static (float Max, float Sum) Exponentials(SequenceKernels k, ReadOnlySpan<float> z, Span<float> e)
    {
        float max = TensorPrimitives.Max(z);
        z.CopyTo(e);
        k.ExpShifted(e, max);
        return (max, k.Sum(e));
    }

    /// <summary>L = scale · Σ_counted loss_t / count, the row losses [T] summed in row order.</summary>
    private static CrossEntropyResult Mean(double[] rowLoss, int count, float scale)
    {
        double total = 0;
        foreach (double loss in rowLoss) total += loss;
        return new CrossEntropyResult(count == 0 ? 0f : (float)(scale * total / count), count);
    }

    /// <summary>
    /// The teacher of <see cref="ComputeSoft"/>: the frozen base model's next-token distribution at every
    /// position, softmax(h W_lmᵀ) [T, V] for its final normed hidden states h [T, D], by the inference kernels.
    /// </summary>
    public static Tensor Teacher(SequenceKernels k, FrozenLinear lmHead, Tensor hidden)
    {
        var p = lmHead.Forward(k, hidden);   // [T, V] logits, then probabilities in place
        k.Forward.Softmax(p);
        return p;
    }

    /// <summary>Rows of logits [N, V] whose argmax (lowest index on ties, as decoding picks) is their target (targets [N]).</summary>
    public static int Hits(SequenceKernels k, Tensor logits, ReadOnlySpan<int> targets)
    {
        int hits = 0;
        for (int i = 0; i < targets.Length; i++)
            if (targets[i] != IgnoreIndex && k.Forward.Argmax(logits.Row(i)) == targets[i]) hits++;
        return hits;
    }

    private static void CheckGradient(Tensor logits, Tensor? dLogits)
    {
        if (dLogits is not null && (dLogits.Rows != logits.Rows || dLogits.Cols != logits.Cols))
            throw new ArgumentException($"dLogits {dLogits} for logits {logits}");
    }
}
