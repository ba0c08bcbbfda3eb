namespace Amphista.Training.Optim;

/// <summary>
/// Linear warm-up then cosine decay to a floor, for steps s = 0, 1, …:
///   s &lt; W:        lr = peak · (s + 1) / W                 (the last warm-up step reaches peak)
///   W ≤ s ≤ N:    lr = floor + (peak − floor) · (1 + cos(π (s − W) / (N − W))) / 2
///   s > N:        lr = floor
/// with W warm-up steps and N total steps.
/// </summary>
public sealed record LearningRateSchedule(float Peak, int WarmupSteps, int TotalSteps, float Floor)
{
    public float Peak { get; } = Peak > 0 ? Peak : throw new ArgumentOutOfRangeException(nameof(Peak), $"peak learning rate must be positive, got {Peak}");
    public int WarmupSteps { get; } = WarmupSteps >= 0 ? WarmupSteps : throw new ArgumentOutOfRangeException(nameof(WarmupSteps), $"negative warm-up {WarmupSteps}");
    public int TotalSteps { get; } = TotalSteps > WarmupSteps ? TotalSteps : throw new ArgumentOutOfRangeException(nameof(TotalSteps), $"total steps {TotalSteps} must exceed warm-up {WarmupSteps}");
    public float Floor { get; } = Floor >= 0 && Floor <= Peak ? Floor : throw new ArgumentOutOfRangeException(nameof(Floor), $"floor {Floor} must lie in [0, {Peak}]");

    public float At(int step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), $"negative step {step}");
        if (step < WarmupSteps) return Peak * (step + 1) / WarmupSteps;
        double progress = Math.Min(1.0, (double)(step - WarmupSteps) / (TotalSteps - WarmupSteps));
        return (float)(Floor + (Peak - Floor) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}
