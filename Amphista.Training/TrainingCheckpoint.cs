using System.Runtime.InteropServices;
using System.Text.Json;
using Amphista.Model.Checkpoints;
using Amphista.Tensors;
using Amphista.Training.Drafters;
using Amphista.Training.Core;
using Amphista.Training.Optim;

namespace Amphista.Training;

/// <summary>
/// Where a run stands, beyond the weights and moments: steps taken of the schedule's total, the data
/// cursor (sequences consumed from the stream; the epoch order is a function of seed and epoch, so
/// the cursor and the seed are the whole random state), totals for the log, the statistics of the
/// log window and epoch in progress, and the records written so far.
/// </summary>
public sealed class TrainerState
{
    public int Step { get; set; }
    public int TotalSteps { get; set; }
    public long SequencesSeen { get; set; }
    public long TokensSeen { get; set; }
    public double Seconds { get; set; }
    public string DataFingerprint { get; set; } = "";
    public TrainingOptions Options { get; set; } = new();
    public required HeadStatistics Window { get; set; }
    public double WindowNormSum { get; set; }
    public int WindowSteps { get; set; }
    public required HeadStatistics EpochStats { get; set; }
    public int EpochSequences { get; set; }
    public long EpochTokens { get; set; }
    public List<PeriodicEntry> Periodic { get; set; } = [];
    public List<EpochEntry> Epochs { get; set; } = [];
}

/// <summary>
/// A resumable run in one file, OUT/checkpoint/trainer_state.safetensors:
///   "param/{name}", "adam_m/{name}", "adam_v/{name}"  [R, C] F32: each parameter and its AdamW moments,
///   metadata "state": <see cref="TrainerState"/> as JSON (AdamW's update count is its Step).
/// Raw float32 bits both ways, so a resumed run continues bit for bit. The file is written under a
/// temporary name and renamed over the previous one: a crash mid-write leaves the last checkpoint whole.
/// </summary>
public static class TrainingCheckpoint
{
    public const string DirectoryName = "checkpoint", FileName = "trainer_state.safetensors";
    private const string StateKey = "state";

    public static string PathIn(string outputDirectory) => Path.Combine(outputDirectory, DirectoryName, FileName);

    public static void Save(string path, ParameterSet parameters, AdamW optimizer, TrainerState state)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tensors = new List<(string, DType, long[], byte[])>();
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            var (m, v) = optimizer.Moments(i);
            tensors.Add(Entry("param/" + p.Name, p, p.Value.Data));
            tensors.Add(Entry("adam_m/" + p.Name, p, m));
            tensors.Add(Entry("adam_v/" + p.Name, p, v));
        }
        string temporary = path + ".tmp";
        SafeTensorsWriter.Write(temporary, tensors, new Dictionary<string, string> { [StateKey] = JsonSerializer.Serialize(state, TrainingLog.Json) });
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Overwrites the parameters' values and the optimizer's moments and count; returns the state.</summary>
    public static TrainerState Load(string path, ParameterSet parameters, AdamW optimizer)
    {
        if (!File.Exists(path)) throw new CheckpointException($"{path}: no training checkpoint to resume from");
        using var file = SafeTensorsFile.Open(path);
        var expected = parameters.SelectMany(p => new[] { "param/", "adam_m/", "adam_v/" }.Select(prefix => prefix + p.Name)).ToHashSet();
        string[] extra = [.. file.Entries.Keys.Where(name => !expected.Contains(name)).Order(StringComparer.Ordinal)];
        if (extra.Length > 0)
            throw new CheckpointException($"{path}: holds tensors this drafter does not have ({string.Join(", ", extra.Take(3))}): it was made for another drafter shape");
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            var (m, v) = optimizer.Moments(i);
            Read(file, "param/" + p.Name, p, p.Value.Data);
            Read(file, "adam_m/" + p.Name, p, m);
            Read(file, "adam_v/" + p.Name, p, v);
        }
        if (!file.Metadata.TryGetValue(StateKey, out string? json))
            throw new CheckpointException($"{path}: the training state (metadata '{StateKey}') is missing");
        TrainerState state;
        try
        {
            state = JsonSerializer.Deserialize<TrainerState>(json, TrainingLog.Json) ?? throw new JsonException("null state");
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{path}: the training state does not parse ({e.Message})", e);
        }
        optimizer.Restore(state.Step);
        return state;
    }

    private static (string, DType, long[], byte[]) Entry(string name, Parameter p, float[] data) =>
        (name, DType.F32, [p.Rows, p.Cols], MemoryMarshal.AsBytes(data.AsSpan()).ToArray());

    private static void Read(SafeTensorsFile file, string name, Parameter p, float[] target)
    {
        if (!file.Entries.TryGetValue(name, out var entry))
            throw new CheckpointException($"{file.Path}: tensor '{name}' is missing: the checkpoint was made for another drafter shape");
        if (entry.Type != DType.F32 || entry.Shape.Length != 2 || entry.Shape[0] != p.Rows || entry.Shape[1] != p.Cols)
            throw new CheckpointException($"{file.Path}: tensor '{name}' is {entry.Type} {TensorEntry.FormatShape(entry.Shape)}, expected F32 [{p.Rows}, {p.Cols}]");
        MemoryMarshal.Cast<byte, float>(file.Bytes(entry)).CopyTo(target);
    }
}
