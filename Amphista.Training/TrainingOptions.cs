using Amphista.Training.Optim;
namespace Amphista.Training;

/// <summary>
/// How <see cref="Trainer"/> runs (SPEC §5). One step: Batch sequences, each one's
/// gradient added with weight 1/Batch; the global norm clipped to ClipNorm; one AdamW update at
///   lr(s) = warm-up over ⌈WarmupFraction · N⌉ steps to LearningRate, then cosine to FloorFraction · LearningRate
/// over N total steps (<see cref="LearningRateSchedule"/>). Sequences come in a fresh order every epoch,
/// drawn from Seed. Steps = N when given; otherwise N is estimated from Minutes (see Trainer) or, with
/// neither, one pass over the data. Minutes also caps a run that has Steps: the loop stops at the budget,
/// checkpoints, and a --resume run continues the same schedule. CheckpointEvery = 0: checkpoint only
/// when the run stops. LogEvery: steps per periodic record in training_log.json.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>A year: far beyond any run, and well inside what a TimeSpan holds.</summary>
    public const double MaxMinutes = 525_600;

    public int? Steps { get; init; }
    public double? Minutes { get; init; }
    public int Batch { get; init; } = 8;
    public float LearningRate { get; init; } = 1e-3f;
    public float WeightDecay { get; init; }
    public float WarmupFraction { get; init; } = 0.05f;
    public float FloorFraction { get; init; } = 0.1f;
    public double ClipNorm { get; init; } = 1.0;
    public int Seed { get; init; }
    public int CheckpointEvery { get; init; } = 100;
    public int LogEvery { get; init; } = 10;

    /// <summary>
    /// Soft targets: each head learns the base model's whole next-token distribution at its position
    /// (<see cref="Layers.CrossEntropy.ComputeSoft"/>, Medusa-2's self-distillation loss) instead of the one token.
    /// </summary>
    public bool Distill { get; init; }

    public void Validate()
    {
        static void Require(bool ok, string message)
        {
            if (!ok) throw new ArgumentOutOfRangeException(nameof(TrainingOptions), message);
        }
        Require(Steps is null or >= 1, $"steps must be at least 1, got {Steps}");
        Require(Minutes is null or > 0 and <= MaxMinutes, $"minutes must be in (0, {MaxMinutes}], got {Minutes}");
        Require(Batch >= 1, $"batch must be at least 1, got {Batch}");
        Require(LearningRate > 0 && float.IsFinite(LearningRate), $"learning rate must be positive, got {LearningRate}");
        Require(WeightDecay >= 0 && float.IsFinite(WeightDecay), $"weight decay must be non-negative, got {WeightDecay}");
        Require(WarmupFraction is >= 0 and < 1, $"warm-up fraction must be in [0, 1), got {WarmupFraction}");
        Require(FloorFraction is >= 0 and <= 1, $"floor fraction must be in [0, 1], got {FloorFraction}");
        Require(ClipNorm > 0 && double.IsFinite(ClipNorm), $"clip norm must be positive, got {ClipNorm}");
        Require(CheckpointEvery >= 0, $"checkpoint interval must be non-negative, got {CheckpointEvery}");
        Require(LogEvery >= 1, $"log interval must be at least 1, got {LogEvery}");
    }

    /// <summary>
    /// The options a resumed run must share with the run it continues, because they decide which
    /// sequences each step sees and what update it makes; names of those that differ, empty if none.
    /// Steps, Minutes and the intervals may change: the checkpoint holds the schedule's total.
    /// </summary>
    public IEnumerable<string> ScheduleDifferences(TrainingOptions other)
    {
        if (Batch != other.Batch) yield return $"batch {other.Batch} (checkpoint: {Batch})";
        if (LearningRate != other.LearningRate) yield return $"learning rate {other.LearningRate} (checkpoint: {LearningRate})";
        if (WeightDecay != other.WeightDecay) yield return $"weight decay {other.WeightDecay} (checkpoint: {WeightDecay})";
        if (WarmupFraction != other.WarmupFraction) yield return $"warm-up fraction {other.WarmupFraction} (checkpoint: {WarmupFraction})";
        if (FloorFraction != other.FloorFraction) yield return $"floor fraction {other.FloorFraction} (checkpoint: {FloorFraction})";
        if (ClipNorm != other.ClipNorm) yield return $"clip norm {other.ClipNorm} (checkpoint: {ClipNorm})";
        if (Seed != other.Seed) yield return $"seed {other.Seed} (checkpoint: {Seed})";
        if (Distill != other.Distill) yield return $"distill {other.Distill} (checkpoint: {Distill})";
    }

    /// <summary>The schedule for N total steps; N = 1 gets no warm-up (the schedule needs N above its warm-up).</summary>
    public LearningRateSchedule Schedule(int totalSteps)
    {
        int warmup = Math.Min(totalSteps - 1, (int)Math.Ceiling(WarmupFraction * totalSteps));
        return new LearningRateSchedule(LearningRate, warmup, totalSteps, FloorFraction * LearningRate);
    }
}
