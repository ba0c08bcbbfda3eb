using System.Text.Json;
using Amphista.Training.Drafters;

namespace Amphista.Training;

/// <summary>
/// Per-head statistics in a log: HeadLoss [K] the mean cross-entropy of head k (unweighted by λ),
/// HeadAccuracy [K] its top-1 accuracy, Loss the mean of HeadLoss over the heads.
/// </summary>
public sealed record HeadSummary(double Loss, double[] HeadLoss, double[] HeadAccuracy)
{
    public static HeadSummary Of(HeadStatistics s)
    {
        int heads = s.Count.Length;
        double[] loss = [.. Enumerable.Range(0, heads).Select(s.Loss)];
        return new HeadSummary(heads == 0 ? 0 : loss.Average(), loss, [.. Enumerable.Range(0, heads).Select(s.Accuracy)]);
    }
}

/// <summary>
/// One periodic record, over the steps since the previous one: Step is the last of them, Seconds and
/// Tokens the totals so far, LearningRate the last step's, GradNorm the mean norm before clipping.
/// </summary>
public sealed record PeriodicEntry(int Step, double Seconds, long Tokens, float LearningRate, double GradNorm, HeadSummary Heads);

/// <summary>One pass over the data (the last may be partial: Sequences below the data's count).</summary>
public sealed record EpochEntry(int Epoch, int Sequences, long Tokens, HeadSummary Heads);

/// <summary>
/// training_log.json, written to the output directory when a run ends (completed, stopped by its
/// time budget, or cancelled): the options, the data's size, progress (Steps of TotalSteps), time and
/// tokens over all runs of a resumed training, and the periodic and per-epoch records.
/// </summary>
public sealed record TrainingLog(
    string Drafter, int Heads, long ParameterCount, TrainingOptions Options, int Sequences, long DataTokens,
    int Steps, int TotalSteps, bool Completed, double Seconds, long TokensSeen, double TokensPerSecond,
    IReadOnlyList<PeriodicEntry> Periodic, IReadOnlyList<EpochEntry> Epochs)
{
    public const string FileName = "training_log.json";

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    public void Write(string directory) =>
        File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, Json));
}
