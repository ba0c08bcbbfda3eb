using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tensors.Kernels;

namespace Amphista.Training.Data;

/// <summary>
/// The frozen base model's final normed hidden states h [T, D] of every training sequence, computed
/// once and read every epoch. Each sequence gets one causal pass from position 0, the same Forward
/// the decoder runs, so the rows are bit-for-bit what the drafter will see at inference (the kernels
/// are batch-invariant: a row does not depend on how many rows share its pass). Kept in memory as
/// float32 up to a byte limit; above it, streamed to a temporary file as they are computed and then
/// memory-mapped (the file is deleted when the store is disposed). The token ids stay in memory.
/// </summary>
public sealed unsafe class HiddenStateStore : IDisposable
{
    /// <summary>1 GiB: about 690k rows of the demo model's D = 384.</summary>
    public const long DefaultMemoryLimitBytes = 1L << 30;

    private readonly IReadOnlyList<TrainingSequence> sequences;
    private readonly long[] offsets;              // [count + 1] first element of each sequence's rows
    private readonly float[][]? memory;           // in memory: [count][T·D]
    private readonly FileStream? file;
    private readonly MemoryMappedFile? map;
    private readonly MemoryMappedViewAccessor? view;
    private byte* mapped;
    private bool disposed;

    public int Count => sequences.Count;

    /// <summary>D, the width of a hidden-state row.</summary>
    public int Width { get; }

    /// <summary>True when the rows live in a memory-mapped file rather than in managed arrays.</summary>
    public bool IsFileBacked => file is not null;

    private HiddenStateStore(IReadOnlyList<TrainingSequence> sequences, int width, long[] offsets, float[][] memory)
    {
        this.sequences = sequences;
        this.offsets = offsets;
        this.memory = memory;
        Width = width;
    }

    private HiddenStateStore(IReadOnlyList<TrainingSequence> sequences, int width, long[] offsets, FileStream file)
    {
        this.sequences = sequences;
        this.offsets = offsets;
        Width = width;
        this.file = file;
        map = MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref mapped);
    }

    /// <summary>
    /// Runs the base model over every sequence. Rows in all above memoryLimitBytes go to a file in
    /// directory (the system's temporary folder when null). workers &gt; 1 runs that many sequences at
    /// once, each worker on a one-thread copy of a CpuKernels model (a pass over one short sequence is
    /// too small to split across threads well); CpuKernels give the same bits on any thread count, so
    /// the rows do not depend on workers.
    /// </summary>
    public static HiddenStateStore Build(LlamaModel model, IReadOnlyList<TrainingSequence> sequences,
        long memoryLimitBytes = DefaultMemoryLimitBytes, string? directory = null, int workers = 1)
    {
        int width = model.Config.HiddenSize;
        var offsets = new long[sequences.Count + 1];
        for (int i = 0; i < sequences.Count; i++)
        {
            if (sequences[i].Length == 0) throw new ArgumentException($"sequence {i} is empty", nameof(sequences));
            offsets[i + 1] = offsets[i] + (long)sequences[i].Length * width;
        }
        var models = Workers(model, workers);
        var states = models.Select(m => m.CreateSequenceState()).ToArray();
        try
        {
            if (offsets[^1] * sizeof(float) <= memoryLimitBytes)
            {
                var memory = new float[sequences.Count][];   // [count][T·D]
                Run(models, states, sequences, 0, sequences.Count, memory);
                return new HiddenStateStore(sequences, width, offsets, memory);
            }
            string path = Path.Combine(directory ?? Path.GetTempPath(), $"amphista-hidden-{Guid.NewGuid():N}.f32");
            var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20, FileOptions.DeleteOnClose);
            try
            {
                // Chunks of a few sequences per worker at once, written in sequence order.
                int chunk = 4 * workers;
                var rows = new float[chunk][];   // [chunk][T·D]
                for (int first = 0; first < sequences.Count; first += chunk)
                {
                    int count = Math.Min(chunk, sequences.Count - first);
                    Run(models, states, sequences, first, count, rows);
                    for (int j = 0; j < count; j++) file.Write(MemoryMarshal.AsBytes(rows[j].AsSpan()));
                }
                file.Flush();
                return new HiddenStateStore(sequences, width, offsets, file);
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }
        finally
        {
            foreach (var state in states) state.Dispose();
        }
    }

    public TrainingSequence Sequence(int i) => sequences[i];

    /// <summary>
    /// h [T, D] of sequence i, row t after tokens 0..t. A span into the store: valid until it is disposed.
    /// </summary>
    public ReadOnlySpan<float> Hidden(int i)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(i), $"sequence {i} outside [0, {Count})");
        if (memory is not null) return memory[i];
        return new ReadOnlySpan<float>(mapped + offsets[i] * sizeof(float), checked((int)(offsets[i + 1] - offsets[i])));
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (view is not null)
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose();
        }
        map?.Dispose();
        file?.Dispose();
    }

    private static LlamaModel[] Workers(LlamaModel model, int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        if (workers == 1) return [model];
        if (model.Kernels is not CpuKernels)
            throw new ArgumentException($"parallel hidden states copy the model onto CpuKernels; this model runs on {model.Kernels.GetType().Name}");
        return [.. Enumerable.Range(0, workers).Select(_ => new LlamaModel(model.Config, model.Weights, new CpuKernels(1)))];
    }

    /// <summary>
    /// h [T, D] of sequences first .. first + count − 1 into rows[i − first], worker w taking every
    /// workers-th sequence from first + w on its own model and sequence state. One state serves all of a
    /// worker's sequences: a pass writes slots 0..T−1 and its causal mask shows no other slot.
    /// </summary>
    private static void Run(LlamaModel[] models, SequenceState[] states, IReadOnlyList<TrainingSequence> sequences, int first, int count, float[][] rows) =>
        Parallel.For(0, models.Length, new ParallelOptions { MaxDegreeOfParallelism = models.Length }, w =>
        {
            for (int i = first + w; i < first + count; i += models.Length)
            {
                var tokens = sequences[i].Tokens;
                var positions = Enumerable.Range(0, tokens.Length).ToArray();   // [T]
                rows[i - first] = models[w].Forward(states[w], tokens, positions, 0, AttentionMask.Causal(0, tokens.Length)).Span.ToArray();
            }
        });
}
