using Amphista.Decoding.Drafting;
using Amphista.Tensors;
using Amphista.Training.Core;

namespace Amphista.Training.Drafters;

/// <summary>
/// A drafter being trained with the base model frozen (Medusa-1 style). One training sequence is
/// the tokens s_0..s_{T-1} and the frozen base model's final normed hidden states h [T, D] from one
/// causal pass over them. At position i the base model predicts s_{i+1}; head k (0-based) is
/// trained to predict s_{i+2+k}, with loss weight λ^k (λ = the drafter's loss decay); targets past
/// the end of the sequence are ignored.
/// </summary>
public interface ITrainableDrafter
{
    /// <summary>K.</summary>
    int Heads { get; }

    /// <summary>The trainable parameters, named by their keys in the inference checkpoint.</summary>
    ParameterSet Parameters { get; }

    /// <summary>
    /// Forward and backward over one sequence on kernels: adds scale · ∂loss/∂θ into the gradients kernels names
    /// (loss = Σ_k λ^k · mean cross-entropy of head k) and returns the per-head statistics. With a teacher
    /// [T, V] (<see cref="Layers.CrossEntropy.Teacher"/>: the base model's next-token distribution at each position)
    /// head k at position i learns teacher row i + 1 + k, the base model's distribution of s_{i+2+k}, rather
    /// than the one token (<see cref="Layers.CrossEntropy.ComputeSoft"/>); the statistics still count s_{i+2+k}.
    /// </summary>
    HeadStatistics Accumulate(SequenceKernels kernels, Tensor hidden, int[] tokens, float scale, Tensor? teacher = null);

    /// <summary>The inference drafter holding the current weights.</summary>
    IDrafter ToDrafter();

    /// <summary>Writes the current weights in the drafter's inference checkpoint format.</summary>
    void Save(string directory);
}

/// <summary>Per head k: summed cross-entropy, counted positions, top-1 hits.</summary>
public sealed record HeadStatistics(double[] LossSum, int[] Count, int[] Correct)
{
    public static HeadStatistics Zero(int heads) => new(new double[heads], new int[heads], new int[heads]);

    public HeadStatistics Plus(HeadStatistics o) => new(
        LossSum.Zip(o.LossSum, (a, b) => a + b).ToArray(),
        Count.Zip(o.Count, (a, b) => a + b).ToArray(),
        Correct.Zip(o.Correct, (a, b) => a + b).ToArray());

    public double Loss(int k) => Count[k] == 0 ? 0 : LossSum[k] / Count[k];

    public double Accuracy(int k) => Count[k] == 0 ? 0 : (double)Correct[k] / Count[k];
}
