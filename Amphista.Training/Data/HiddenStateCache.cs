using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Training.Data;

/// <summary>
/// The frozen base model's final normed hidden states h [T, D] of every training sequence, computed
/// once and read every epoch. Each sequence gets one causal pass from position 0, the same Forward
/// the decoder runs, so the rows are bit-for-bit what the drafter will see at inference (the kernels
/// are batch-invariant: a row does not depend on how many rows share its pass). Kept in memory as
/// float32 up to a byte limit; above it, streamed to a temporary file as they are computed and then
/// memory-mapped (the file is deleted when the cache is disposed). The token ids stay in memory.
/// </summary>
public sealed unsafe class HiddenStateCache : IDisposable
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

    private HiddenStateCache(IReadOnlyList<TrainingSequence> sequences, int width, long[] offsets, float[][] memory)
    {
        this.sequences = sequences;
        this.offsets = offsets;
        this.memory = memory;
        Width = width;
    }

    private HiddenStateCache(IReadOnlyList<TrainingSequence> sequences, int width, long[] offsets, FileStream file)
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
    /// directory (the system's temporary folder when null).
    /// </summary>
    public static HiddenStateCache Build(LlamaModel model, IReadOnlyList<TrainingSequence> sequences,
        long memoryLimitBytes = DefaultMemoryLimitBytes, string? directory = null)
    {
        int width = model.Config.HiddenSize;
        var offsets = new long[sequences.Count + 1];
        for (int i = 0; i < sequences.Count; i++)
        {
            if (sequences[i].Length == 0) throw new ArgumentException($"sequence {i} is empty", nameof(sequences));
            offsets[i + 1] = offsets[i] + (long)sequences[i].Length * width;
        }
        // One cache serves every sequence: each pass writes slots 0..T-1 and its causal mask shows no other slot.
        var cache = model.CreateSequenceState();
        if (offsets[^1] * sizeof(float) <= memoryLimitBytes)
        {
            var memory = new float[sequences.Count][];
            for (int i = 0; i < sequences.Count; i++) memory[i] = Forward(model, cache, sequences[i].Tokens).Span.ToArray();
            return new HiddenStateCache(sequences, width, offsets, memory);
        }
        string path = Path.Combine(directory ?? Path.GetTempPath(), $"amphista-hidden-{Guid.NewGuid():N}.f32");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20, FileOptions.DeleteOnClose);
        try
        {
            foreach (var sequence in sequences)
                file.Write(MemoryMarshal.AsBytes(Forward(model, cache, sequence.Tokens).Span));
            file.Flush();
            return new HiddenStateCache(sequences, width, offsets, file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public TrainingSequence Sequence(int i) => sequences[i];

    /// <summary>
    /// h [T, D] of sequence i, row t after tokens 0..t. A span into the cache: valid until it is disposed.
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

    private static Tensor Forward(LlamaModel model, SequenceState cache, int[] tokens) =>
        model.Forward(cache, tokens, Enumerable.Range(0, tokens.Length).ToArray(), 0, AttentionMask.Causal(0, tokens.Length));   // [T, D]
}
