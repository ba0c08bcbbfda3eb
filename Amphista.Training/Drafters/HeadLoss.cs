using Amphista.Tensors;
using Amphista.Training.Core;
using Amphista.Training.Layers;

namespace Amphista.Training.Drafters;

/// <summary>
/// Head k's term of every drafter's loss (SPEC §5), unweighted: cross-entropy of its logits [N, V]
/// against the targets s_{i+2+k} [N] (−1 past the end), or, when distilling, against teacher rows
/// i + 1 + k; the gradient into dLogits [N, V], and the head's loss sum, count and top-1 hits into the
/// statistics. The caller applies the head's weight λ^k · scale where it is cheapest.
/// </summary>
internal static class HeadLoss
{
    public static void Add(SequenceKernels kernels, int head, Tensor logits, ReadOnlySpan<int> targets, Tensor? teacher,
        Tensor dLogits, HeadStatistics statistics)
    {
        var ce = teacher is null
            ? CrossEntropy.Compute(kernels, logits, targets, dLogits)
            : CrossEntropy.ComputeSoft(kernels, logits, teacher, firstTeacherRow: 1 + head, targets, dLogits);
        statistics.LossSum[head] = (double)ce.Loss * ce.Count;
        statistics.Count[head] = ce.Count;
        statistics.Correct[head] = CrossEntropy.Hits(kernels, logits, targets);
    }
}
