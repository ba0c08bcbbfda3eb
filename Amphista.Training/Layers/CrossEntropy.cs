using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using Amphista.Training.Core;

namespace Amphista.Training.Layers;

/// <summary>Mean loss over the counted rows and how many rows counted (targets other than −1).</summary>
public readonly record struct CrossEntropyResult(float Loss, int Count);

/// <summary>
/// Softmax cross-entropy over logits z [T, V] with integer targets [T] (−1: row ignored):
///   loss_t = log Σ_v exp(z_tv − m_t) − (z_t,target − m_t),  m_t = max_v z_tv (so exp never overflows),
///   L = scale · Σ_counted loss_t / count.
/// Fused backward: dz_t = scale · (softmax(z_t) − onehot(target_t)) / count, and 0 on ignored rows.
/// scale carries a per-head weight such as Medusa's λ^(k−1). Rows run in parallel; the row losses are
/// summed in row order in double.
/// </summary>
public static class CrossEntropy
{
    public const int IgnoreIndex = -1;

    /// <summary>Returns L; when dLogits [T, V] is given, overwrites it with dL/dz.</summary>
    public static CrossEntropyResult Compute(Tensor logits, ReadOnlySpan<int> targets, Tensor? dLogits, float scale = 1f)
    {
        int T = logits.Rows, V = logits.Cols;
        if (targets.Length != T) throw new ArgumentException($"{targets.Length} targets for logits {logits}");
        if (dLogits is not null && (dLogits.Rows != T || dLogits.Cols != V)) throw new ArgumentException($"dLogits {dLogits} for logits {logits}");
        int count = 0;
        foreach (int target in targets)
        {
            if (target == IgnoreIndex) continue;
            if ((uint)target >= (uint)V) throw new ArgumentOutOfRangeException(nameof(targets), $"target {target} outside [0, {V}) and not {IgnoreIndex}");
            count++;
        }
        var rowLoss = new double[T];   // [T]
        var targetArray = targets.ToArray();
        float gradScale = count == 0 ? 0f : scale / count;
        Parallelism.For(T, t =>
        {
            var z = logits.Row(t);
            int target = targetArray[t];
            if (target == IgnoreIndex)
            {
                if (dLogits is not null) dLogits.Row(t).Clear();
                return;
            }
            var (max, sum) = ExpSum(z);
            rowLoss[t] = MathF.Log(sum) - (z[target] - max);
            if (dLogits is null) return;
            var dz = dLogits.Row(t);
            for (int v = 0; v < V; v++) dz[v] = MathF.Exp(z[v] - max) / sum * gradScale;
            dz[target] -= gradScale;
        });
        return Mean(rowLoss, count, scale);
    }

    /// <summary>
    /// Soft targets (distillation): row t of logits z [T, V] against the distribution p = teacher row
    /// firstTeacherRow + t of teacher [·, V], on the rows whose targets[t] is not −1:
    ///   loss_t = −Σ_v p_v log softmax(z_t)_v,   dz_t = scale · (softmax(z_t) − p) / count.
    /// With p one-hot at targets[t] this is <see cref="Compute"/> exactly (tested).
    /// </summary>
    public static CrossEntropyResult ComputeSoft(Tensor logits, Tensor teacher, int firstTeacherRow, ReadOnlySpan<int> targets,
        Tensor? dLogits, float scale = 1f)
    {
        int T = logits.Rows, V = logits.Cols;
        if (targets.Length != T) throw new ArgumentException($"{targets.Length} targets for logits {logits}");
        if (teacher.Cols != V) throw new ArgumentException($"teacher {teacher} for logits {logits}");
        if (dLogits is not null && (dLogits.Rows != T || dLogits.Cols != V)) throw new ArgumentException($"dLogits {dLogits} for logits {logits}");
        var targetArray = targets.ToArray();
        int count = 0;
        for (int t = 0; t < T; t++)
        {
            if (targetArray[t] == IgnoreIndex) continue;
            if (firstTeacherRow + t < 0 || firstTeacherRow + t >= teacher.Rows)
                throw new ArgumentOutOfRangeException(nameof(firstTeacherRow), $"row {t} needs teacher row {firstTeacherRow + t} of {teacher}");
            count++;
        }
        var rowLoss = new double[T];   // [T]
        float gradScale = count == 0 ? 0f : scale / count;
        Parallelism.For(T, t =>
        {
            if (targetArray[t] == IgnoreIndex)
            {
                if (dLogits is not null) dLogits.Row(t).Clear();
                return;
            }
            var z = logits.Row(t);
            var p = teacher.Row(firstTeacherRow + t);
            var (max, sum) = ExpSum(z);
            float logSum = MathF.Log(sum);
            double loss = 0;
            for (int v = 0; v < V; v++)
                if (p[v] != 0f) loss -= p[v] * (z[v] - max - logSum);
            rowLoss[t] = loss;
            if (dLogits is null) return;
            var dz = dLogits.Row(t);
            for (int v = 0; v < V; v++) dz[v] = (MathF.Exp(z[v] - max) / sum - p[v]) * gradScale;
        });
        return Mean(rowLoss, count, scale);
    }

    /// <summary>m = max_v z_v and Σ_v exp(z_v − m), in index order (so exp never overflows).</summary>
    private static (float Max, float Sum) ExpSum(ReadOnlySpan<float> z)
    {
        float max = float.NegativeInfinity;
        foreach (float x in z) max = MathF.Max(max, x);
        float sum = 0f;
        foreach (float x in z) sum += MathF.Exp(x - max);
        return (max, sum);
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
    /// position, softmax(h W_lmᵀ) [T, V] for its final normed hidden states h [T, D].
    /// </summary>
    public static Tensor Teacher(FrozenLinear lmHead, Tensor hidden)
    {
        var p = lmHead.Forward(hidden);   // [T, V] logits, then probabilities in place
        Parallelism.For(p.Rows, t =>
        {
            var row = p.Row(t);
            float max = float.NegativeInfinity;
            foreach (float z in row) max = MathF.Max(max, z);
            float sum = 0f;
            for (int v = 0; v < row.Length; v++) sum += row[v] = MathF.Exp(row[v] - max);
            for (int v = 0; v < row.Length; v++) row[v] /= sum;
        });
        return p;
    }

    /// <summary>Rows of logits [N, V] whose argmax (lowest index on ties, as decoding picks) is their target (targets [N]).</summary>
    public static int Hits(Tensor logits, ReadOnlySpan<int> targets)
    {
        var kernels = new ReferenceKernels();
        int hits = 0;
        for (int i = 0; i < targets.Length; i++)
            if (targets[i] != IgnoreIndex && kernels.Argmax(logits.Row(i)) == targets[i]) hits++;
        return hits;
    }
}
