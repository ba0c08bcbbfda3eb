using System.Diagnostics;
using System.Globalization;
using Amphista.Training.Drafters;

namespace Amphista.Training;

/// <summary>
/// What <see cref="Trainer.StepCompleted"/> reports after each step: the step just taken (1-based) of
/// the total, its epoch, its batch's per-head statistics, and this run's tokens, seconds and steps
/// (a resumed run counts from where it resumed, so speed and time left are this run's).
/// </summary>
public sealed record TrainingProgress(
    int Step, int TotalSteps, int Epoch, HeadStatistics Batch, float LearningRate, double GradNorm,
    long RunTokens, double RunSeconds, int RunSteps)
{
    public double TokensPerSecond => RunSeconds > 0 ? RunTokens / RunSeconds : 0;

    public double SecondsLeft => RunSteps > 0 ? (TotalSteps - Step) * RunSeconds / RunSteps : 0;
}

/// <summary>
/// The one progress line on stderr: rewritten in place with a carriage return when it is a terminal,
/// otherwise a new line every few seconds (logs stay short), always one for the last step. Loss and
/// top-1 accuracy per head are over the steps since the previous line:
///   step 120/1000 epoch 2 | loss 3.214 | top-1 61.2% 38.0% 25.1% 17.3% | 2310 tok/s | 6m12s left
/// </summary>
public sealed class ProgressPrinter(TextWriter writer, bool terminal)
{
    private static readonly TimeSpan TerminalInterval = TimeSpan.FromMilliseconds(250), LogInterval = TimeSpan.FromSeconds(5);

    private readonly Stopwatch sinceLine = Stopwatch.StartNew();
    private HeadStatistics? pending;
    private int lastLength;

    /// <summary>For Console.Error: terminal unless redirected.</summary>
    public static ProgressPrinter ForStandardError() => new(Console.Error, !Console.IsErrorRedirected);

    public void OnStep(TrainingProgress p)
    {
        pending = pending is null ? p.Batch : pending.Plus(p.Batch);
        bool last = p.Step == p.TotalSteps;
        if (!last && sinceLine.Elapsed < (terminal ? TerminalInterval : LogInterval)) return;
        string line = Line(p, HeadSummary.Of(pending));
        if (terminal)
        {
            writer.Write("\r" + line.PadRight(lastLength));
            lastLength = line.Length;
        }
        else writer.WriteLine(line);
        writer.Flush();
        pending = null;
        sinceLine.Restart();
    }

    /// <summary>Ends the refreshed line so the summary starts on its own.</summary>
    public void Finish()
    {
        if (terminal && lastLength > 0) writer.WriteLine();
        lastLength = 0;
    }

    private static string Line(TrainingProgress p, HeadSummary s) => string.Create(CultureInfo.InvariantCulture,
        $"step {p.Step}/{p.TotalSteps} epoch {p.Epoch + 1} | loss {s.Loss:F3} | top-1 " +
        $"{string.Join(' ', s.HeadAccuracy.Select(a => $"{100 * a:F1}%"))} | {p.TokensPerSecond:F0} tok/s | {Duration(p.SecondsLeft)} left");

    public static string Duration(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Max(0, Math.Round(seconds)));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:D2}s" : $"{t.Seconds}s";
    }
}
