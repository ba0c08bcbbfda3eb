using System.Diagnostics;
using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using Amphista.Training.Core;
using Amphista.Training.Data;
using Amphista.Training.Drafters;
using Amphista.Training.Layers;
using Amphista.Training.Optim;

namespace Amphista.Training;

/// <summary>
/// The training loop for any <see cref="ITrainableDrafter"/> (SPEC §5; options and
/// schedule in <see cref="TrainingOptions"/>). The data is one stream of sequences: position n is
/// sequence order_e[n mod N] of epoch e = n / N, order_e a shuffle of the N sequences by
/// Random(seed, e). Step s (0-based) takes positions s·B .. s·B + B − 1:
///   g = Σ_b (1/B) ∇loss(sequence_b);  g ← g · min(1, clip / ‖g‖);  AdamW(g) at lr(s).
/// The B sequences of a step run at once, one per thread (each on its own <see cref="SequenceKernels"/>,
/// single-threaded: a sequence's products are too small to split well), each into its own slot
/// gradient; g is then summed in slot order b = 0, 1, …. So the same drafter, data and options give
/// the same bits on any thread count, and a run resumed from a checkpoint continues bit for bit
/// (<see cref="TrainingCheckpoint"/>).
///
/// Total steps from a time budget (Minutes without Steps): before the first step, the drafter's forward
/// and backward are timed on the first sequences (after one untimed sequence for JIT warm-up), and
/// N = 0.9 · (budget left) / (seconds per token · B · mean tokens per sequence); the gradients are then
/// cleared, so the probe leaves no trace in the weights. The 10% spare covers the optimizer update,
/// which is not timed, and the final writes; the budget still stops the loop (after the step in flight).
/// The estimate depends on the machine's speed, so such runs are not reproducible across machines
/// unless N is given with --steps; a resumed run reads N from its checkpoint.
///
/// Writes to the output directory: the inference checkpoint (ITrainableDrafter.Save), training_log.json,
/// and checkpoint/ every CheckpointEvery steps and whenever the run stops.
/// </summary>
public sealed class Trainer
{
    private const int ProbeSequences = 8;

    private readonly ITrainableDrafter drafter;
    private readonly HiddenStateStore data;
    private readonly TrainingOptions options;
    private readonly long dataTokens;
    private readonly FrozenLinear? teacherHead;   // the base model's W_lm [V, D] when options.Distill
    private readonly SequenceKernels[] slots;     // [max(B, probe)] one per sequence of a step
    private readonly WorkerPool pool;
    private int[] order = [];   // [N] the current epoch's sequence order
    private int orderEpoch = -1;

    public string OutputDirectory { get; }

    /// <summary>Raised after every step; <see cref="ProgressPrinter.OnStep"/> is the usual handler.</summary>
    public event Action<TrainingProgress>? StepCompleted;

    /// <param name="baseLmHead">The base model's LM head, which options.Distill needs to make the teacher distributions.</param>
    /// <param name="threads">How many sequences of a step run at once (the bits do not depend on it).</param>
    /// <param name="width">The vector width of every kernel (the bits do not depend on it); the widest this machine accelerates by default.</param>
    public Trainer(ITrainableDrafter drafter, HiddenStateStore data, TrainingOptions options, string outputDirectory,
        WeightMatrix? baseLmHead = null, int threads = 1, VectorWidth? width = null)
    {
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (data.Count == 0) throw new InputException("no training sequences");
        if (options.Distill && baseLmHead is null) throw new ArgumentException("distillation needs the base model's LM head");
        teacherHead = options.Distill ? new FrozenLinear(baseLmHead!) : null;
        (this.drafter, this.data, this.options, OutputDirectory) = (drafter, data, options, outputDirectory);
        for (int i = 0; i < data.Count; i++) dataTokens += data.Sequence(i).Length;
        slots = [.. Enumerable.Range(0, Math.Max(options.Batch, ProbeSequences)).Select(b => new SequenceKernels(width, b))];
        drafter.Parameters.UseSlots(slots.Length);
        pool = new WorkerPool(threads);
    }

    /// <summary>
    /// Trains until the schedule's last step, the time budget, or cancellation (checked between steps),
    /// then writes the outputs. resume continues from OUT/checkpoint/ (same data and schedule options).
    /// </summary>
    public TrainingLog Run(bool resume = false, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        var budget = options.Minutes is { } minutes ? TimeSpan.FromMinutes(minutes) : TimeSpan.MaxValue;
        Directory.CreateDirectory(OutputDirectory);
        string checkpointPath = TrainingCheckpoint.PathIn(OutputDirectory);
        var parameters = drafter.Parameters;
        var optimizer = new AdamW(parameters, options.WeightDecay);
        var state = resume ? Resume(checkpointPath, optimizer) : Start(budget);
        var schedule = options.Schedule(state.TotalSteps);
        double secondsBefore = state.Seconds;
        long tokensBefore = state.TokensSeen;
        int stepsBefore = state.Step;

        while (state.Step < state.TotalSteps && !cancel.IsCancellationRequested && clock.Elapsed < budget)
        {
            var indices = Enumerable.Range(0, options.Batch).Select(b => SequenceAt(state.SequencesSeen + b)).ToArray();   // [B]
            var perSequence = AccumulateAtOnce(indices, 1f / options.Batch);   // [B]
            parameters.GatherSlots(options.Batch, pool);
            var batch = HeadStatistics.Zero(drafter.Heads);
            int epoch = 0;
            for (int b = 0; b < options.Batch; b++)
            {
                epoch = (int)(state.SequencesSeen / data.Count);
                var sequence = data.Sequence(indices[b]);
                var stats = perSequence[b];
                AddToEpoch(state, epoch, stats, sequence.Length);
                batch = batch.Plus(stats);
                state.SequencesSeen++;
                state.TokensSeen += sequence.Length;
            }
            double norm = parameters.ClipGradNorm(options.ClipNorm, pool);
            float lr = schedule.At(state.Step);
            optimizer.Step(lr, pool);
            state.Step++;
            state.Seconds = secondsBefore + clock.Elapsed.TotalSeconds;
            state.Window = state.Window.Plus(batch);
            state.WindowNormSum += norm;
            state.WindowSteps++;
            if (state.WindowSteps >= options.LogEvery) state.Periodic.Add(CloseWindow(state, lr));
            StepCompleted?.Invoke(new TrainingProgress(state.Step, state.TotalSteps, epoch, batch, lr, norm,
                state.TokensSeen - tokensBefore, clock.Elapsed.TotalSeconds, state.Step - stepsBefore));
            if (options.CheckpointEvery > 0 && state.Step % options.CheckpointEvery == 0 && state.Step < state.TotalSteps)
                TrainingCheckpoint.Save(checkpointPath, parameters, optimizer, state);
        }

        state.Seconds = secondsBefore + clock.Elapsed.TotalSeconds;
        TrainingCheckpoint.Save(checkpointPath, parameters, optimizer, state);
        drafter.Save(OutputDirectory);
        var log = Log(state, schedule);
        log.Write(OutputDirectory);
        return log;
    }

    private TrainerState Start(TimeSpan budget)
    {
        int total = options.Steps
            ?? (options.Minutes is null ? (data.Count + options.Batch - 1) / options.Batch : EstimateSteps(budget));
        return new TrainerState
        {
            TotalSteps = total,
            DataFingerprint = Fingerprint(),
            Options = options,
            Window = HeadStatistics.Zero(drafter.Heads),
            EpochStats = HeadStatistics.Zero(drafter.Heads),
        };
    }

    private TrainerState Resume(string checkpointPath, AdamW optimizer)
    {
        var state = TrainingCheckpoint.Load(checkpointPath, drafter.Parameters, optimizer);
        if (state.DataFingerprint != Fingerprint())
            throw new InputException($"{checkpointPath}: the checkpoint was made on other training data (different sequences or base model)");
        string[] differences = [.. state.Options.ScheduleDifferences(options)];
        if (differences.Length > 0)
            throw new InputException($"{checkpointPath}: a resumed run needs the checkpoint's options; given {string.Join(", ", differences)}");
        if (options.Steps is { } steps && steps != state.TotalSteps)
            throw new InputException($"{checkpointPath}: the checkpoint's schedule has {state.TotalSteps} steps, but {steps} were asked for");
        state.Options = options;
        return state;
    }

    /// <summary>The N of a time budget (see the class summary); gradients are cleared afterwards.</summary>
    private int EstimateSteps(TimeSpan budget)
    {
        var clock = Stopwatch.StartNew();
        AccumulateAtOnce([SequenceAt(0)], 1f);
        double warmup = clock.Elapsed.TotalSeconds;
        int probes = (int)Math.Min(ProbeSequences, Math.Max(1, data.Count - 1));
        var indices = Enumerable.Range(1, probes).Select(n => SequenceAt(n)).ToArray();   // [probes]
        AccumulateAtOnce(indices, 1f);
        long tokens = indices.Sum(i => (long)data.Sequence(i).Length);
        drafter.Parameters.GatherSlots(slots.Length);
        drafter.Parameters.ZeroGrads();
        double secondsPerToken = (clock.Elapsed.TotalSeconds - warmup) / tokens;
        double stepSeconds = secondsPerToken * options.Batch * dataTokens / data.Count;
        double left = budget.TotalSeconds - clock.Elapsed.TotalSeconds;
        return (int)Math.Clamp(0.9 * left / stepSeconds, 1, int.MaxValue);
    }

    private int SequenceAt(long n)
    {
        int epoch = (int)(n / data.Count);
        if (epoch != orderEpoch)
        {
            order = [.. Enumerable.Range(0, data.Count)];
            new Random(unchecked(options.Seed * 1_000_003 + epoch)).Shuffle(order);
            orderEpoch = epoch;
        }
        return order[n % data.Count];
    }

    /// <summary>
    /// Forward and backward of sequences indices [n] at once, sequence b on slot b's kernels and into
    /// its slot gradients; returns each one's statistics [n].
    /// </summary>
    private HeadStatistics[] AccumulateAtOnce(int[] indices, float scale)
    {
        var results = new HeadStatistics[indices.Length];
        // Longest first, so the last sequence a thread takes is a short one and the other threads wait less.
        int[] longestFirst = [.. Enumerable.Range(0, indices.Length).OrderByDescending(b => data.Sequence(indices[b]).Length)];
        TaskQueue.Run(pool, indices.Length, j =>
        {
            int b = longestFirst[j];
            results[b] = Accumulate(slots[b], indices[b], scale);
        });
        return results;
    }

    private HeadStatistics Accumulate(SequenceKernels kernels, int index, float scale)
    {
        var hidden = Hidden(index);
        var teacher = teacherHead is null ? null : CrossEntropy.Teacher(kernels, teacherHead, hidden);   // [T, V]
        return drafter.Accumulate(kernels, hidden, data.Sequence(index).Tokens, scale, teacher);
    }

    /// <summary>Sequence i's hidden states h [T, D], copied out of the store (which may be a memory-mapped file).</summary>

    private Tensor Hidden(int i) => new(data.Sequence(i).Length, data.Width, data.Hidden(i).ToArray());

    private void AddToEpoch(TrainerState state, int epoch, HeadStatistics stats, int tokens)
    {
        // The epoch in progress is the one the cursor's previous sequence belonged to.
        int current = state.SequencesSeen == 0 ? 0 : (int)((state.SequencesSeen - 1) / data.Count);
        if (epoch != current && state.EpochSequences > 0)
        {
            state.Epochs.Add(new EpochEntry(current, state.EpochSequences, state.EpochTokens, HeadSummary.Of(state.EpochStats)));
            (state.EpochStats, state.EpochSequences, state.EpochTokens) = (HeadStatistics.Zero(drafter.Heads), 0, 0);
        }
        state.EpochStats = state.EpochStats.Plus(stats);
        state.EpochSequences++;
        state.EpochTokens += tokens;
    }

    private static PeriodicEntry CloseWindow(TrainerState state, float lr)
    {
        var entry = new PeriodicEntry(state.Step, state.Seconds, state.TokensSeen, lr, state.WindowNormSum / state.WindowSteps, HeadSummary.Of(state.Window));
        (state.Window, state.WindowNormSum, state.WindowSteps) = (HeadStatistics.Zero(state.Window.Count.Length), 0, 0);
        return entry;
    }

    /// <summary>The log as of now: the state's records plus the unfinished window and epoch (left out of the state).</summary>
    private TrainingLog Log(TrainerState state, LearningRateSchedule schedule)
    {
        List<PeriodicEntry> periodic = [.. state.Periodic];
        if (state.WindowSteps > 0)
            periodic.Add(new PeriodicEntry(state.Step, state.Seconds, state.TokensSeen, schedule.At(state.Step - 1),
                state.WindowNormSum / state.WindowSteps, HeadSummary.Of(state.Window)));
        List<EpochEntry> epochs = [.. state.Epochs];
        if (state.EpochSequences > 0)
            epochs.Add(new EpochEntry((int)((state.SequencesSeen - 1) / data.Count), state.EpochSequences, state.EpochTokens, HeadSummary.Of(state.EpochStats)));
        return new TrainingLog(drafter.ToDrafter().Name, drafter.Heads, drafter.Parameters.ElementCount, options, data.Count, dataTokens,
            state.Step, state.TotalSteps, state.Step == state.TotalSteps, state.Seconds, state.TokensSeen,
            state.Seconds > 0 ? state.TokensSeen / state.Seconds : 0, periodic, epochs);
    }

    /// <summary>FNV-1a over the sequences' tokens and the first sequence's hidden-state bits (which tell base models apart).</summary>
    private string Fingerprint()
    {
        ulong hash = 14695981039346656037;
        void Mix(int value)
        {
            hash = (hash ^ (uint)value) * 1099511628211;
        }
        Mix(data.Count);
        Mix(data.Width);
        for (int i = 0; i < data.Count; i++)
        {
            var tokens = data.Sequence(i).Tokens;
            Mix(tokens.Length);
            foreach (int token in tokens) Mix(token);
        }
        foreach (float h in data.Hidden(0)) Mix(BitConverter.SingleToInt32Bits(h));
        return hash.ToString("x16");
    }
}
