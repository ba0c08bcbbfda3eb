using System.Diagnostics;
using System.Security.Cryptography;
using Amphista.Decoding.Drafting;
using Amphista.Decoding.Drafting.Amphista;
using Amphista.Decoding.Drafting.Medusa;
using Amphista.Model;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using static Amphista.Tests.Checkpoints.Fuzz.CheckpointMutator;

namespace Amphista.Tests.Checkpoints.Fuzz;

/// <summary>
/// Loading cannot be broken by its input: 10,000 seeded corruptions of small checkpoints (the
/// Hugging Face tiny model, a bf16 model sharded with an index, a Medusa and an Amphista drafter
/// directory) each end in the project's typed error or a correct load, within a second, having
/// allocated no more than a few times the checkpoint's size. A corruption that keeps the file valid
/// must load: header padding that unaligns the data gives back the very same weights.
/// </summary>
public sealed class CheckpointFuzzTests : IDisposable
{
    private const int Cases = 10_000;
    private const int Seed = 20261207;
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(10);

    private readonly TestFiles files = new();

    public void Dispose() => files.Dispose();

    /// <summary>A checkpoint directory's files, and how to load it (into a fingerprint of its weights when asked).</summary>
    private sealed record Target(string Name, Dictionary<string, byte[]> Files, Func<string, bool, string> Load, string Fingerprint);

    private sealed record Outcome(int Loaded, int Rejected, List<string> Failures);

    [Fact]
    public async Task Every_corrupted_checkpoint_ends_in_a_typed_error_or_a_correct_load()
    {
        var targets = Targets();
        int current = -1;
        string currentWhat = "";
        var run = Task.Factory.StartNew(() => Run(targets, (i, what) => (current, currentWhat) = (i, what)),
            TaskCreationOptions.LongRunning);
        var watch = Stopwatch.StartNew();
        int seen = -1;
        while (await Task.WhenAny(run, Task.Delay(200)) != run)
        {
            if (current != seen) (seen, watch) = (current, Stopwatch.StartNew());
            Assert.True(watch.Elapsed < CaseLimit, $"case {seen} ({currentWhat}) did not finish within {CaseLimit.TotalSeconds} s");
        }
        var outcome = await run;
        Assert.True(outcome.Failures.Count == 0,
            $"{outcome.Failures.Count} of {Cases} cases failed (seed {Seed}):\n" + string.Join("\n", outcome.Failures.Take(20)));
        // The corruptions reach both outcomes often, so neither side of the property goes untested.
        Assert.True(outcome.Loaded > Cases / 20 && outcome.Rejected > Cases / 2,
            $"{outcome.Loaded} loads and {outcome.Rejected} typed errors of {Cases} cases");
    }

    private Outcome Run(Target[] targets, Action<int, string> starting)
    {
        var rng = new Random(Seed);
        var mutator = new CheckpointMutator(rng);
        var onDisk = targets.ToDictionary(t => t.Name, _ => new Dictionary<string, byte[]>());
        int loaded = 0, rejected = 0;
        var failures = new List<string>();
        for (int i = 0; i < Cases; i++)
        {
            var target = targets[rng.Next(targets.Length)];
            var corrupted = new Dictionary<string, byte[]>(target.Files);
            var (file, what, validity) = mutator.Mutate(corrupted);
            if (rng.Next(4) == 0 && corrupted.Count > 1)
            {
                var (_, second, secondValidity) = mutator.Mutate(corrupted, besides: file);
                (what, validity) = ($"{what}; and {second}", (Validity)Math.Min((int)validity, (int)secondValidity));
            }
            string label = $"case {i}, {target.Name}, {what}";
            starting(i, label);
            string dir = Place(target.Name, corrupted, onDisk[target.Name]);
            long limit = 4 * corrupted.Values.Sum(b => (long)b.Length) + (1 << 20);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                string fingerprint = target.Load(dir, validity == Validity.SameWeights);
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                loaded++;
                if (allocated > limit) failures.Add($"{label}: loaded having allocated {allocated} bytes (limit {limit})");
                if (validity == Validity.SameWeights && fingerprint != target.Fingerprint)
                    failures.Add($"{label}: loaded other weights than the unchanged checkpoint's");
            }
            catch (AmphistaException) when (validity == Validity.Broken)
            {
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                rejected++;
                if (allocated > limit) failures.Add($"{label}: rejected having allocated {allocated} bytes (limit {limit})");
            }
            catch (Exception e)
            {
                failures.Add($"{label}: {e.GetType().Name}: {e.Message} {e.StackTrace?.Split('\n')[0].Trim()}");
            }
        }
        return new Outcome(loaded, rejected, failures);
    }

    /// <summary>Writes the files that differ from what the target's directory holds, deletes those it should not hold.</summary>
    private string Place(string name, Dictionary<string, byte[]> wanted, Dictionary<string, byte[]> onDisk)
    {
        string dir = files.PathOf(name);
        Directory.CreateDirectory(dir);
        foreach (var file in onDisk.Keys.Except(wanted.Keys).ToArray())
        {
            File.Delete(Path.Combine(dir, file));
            onDisk.Remove(file);
        }
        foreach (var (file, bytes) in wanted)
        {
            if (onDisk.TryGetValue(file, out var current) && ReferenceEquals(current, bytes)) continue;
            File.WriteAllBytes(Path.Combine(dir, file), bytes);
            onDisk[file] = bytes;
        }
        return dir;
    }

    private Target[] Targets()
    {
        var micro = new LlamaConfig(32, 48, 2, 2, 1, 16, 64, 64, 1e-5f, 10000, false, 1, [2]);
        string sharded = files.PathOf("template-sharded");
        HfCheckpointWriter.Write(sharded, micro, LlamaWeights.Random(micro, seed: 3, DType.BF16), shards: 3);
        string medusa = files.PathOf("template-medusa");
        MedusaWeights.Random(new MedusaConfig(2, 1, 32, 64, SharedLmHead: false), seed: 4, DType.BF16).Save(medusa);
        DraftVocabulary.First(16, 64).Save(medusa);
        string amphista = files.PathOf("template-amphista");
        AmphistaWeights.Random(AmphistaConfig.ForBaseModel(micro, heads: 2), seed: 5).Save(amphista);
        DraftVocabulary.First(16, 64).Save(amphista);
        return
        [
            Of("hf-tiny-a", ReadAll(TestFiles.TinyA, ["config.json", "model.safetensors"]), (dir, _) => LoadModel(dir)),
            Of("sharded", ReadAll(sharded), (dir, _) => LoadModel(dir)),
            Of("medusa", ReadAll(medusa), LoadDrafter),
            Of("amphista", ReadAll(amphista), LoadDrafter),
        ];

        Target Of(string name, Dictionary<string, byte[]> template, Func<string, bool, string> load) =>
            new(name, template, load, load(Place(name, template, []), true));
    }

    private static Dictionary<string, byte[]> ReadAll(string dir, string[]? names = null) =>
        (names ?? [.. Directory.GetFiles(dir).Select(f => Path.GetFileName(f))])
            .ToDictionary(n => n, n => File.ReadAllBytes(Path.Combine(dir, n)), StringComparer.Ordinal);

    /// <summary>Loads the model and reads every weight (in place, from the mapped files) into a hash, fingerprint or not.</summary>
    private static string LoadModel(string dir)
    {
        using var model = LlamaModel.Load(dir, new ReferenceKernels());
        var w = model.Weights;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(w.Embedding.Bytes);
        foreach (var layer in w.Layers)
        {
            Append(hash, layer.AttentionNorm);
            Append(hash, layer.MlpNorm);
            foreach (var m in layer.Matrices) hash.AppendData(m.Bytes);
        }
        Append(hash, w.FinalNorm);
        hash.AppendData(w.LmHead.Bytes);
        return Convert.ToHexString(hash.GetCurrentHash());
    }

    private static void Append(IncrementalHash hash, float[] values) =>
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));

    /// <summary>Loads the drafter as the CLI does; its weights, saved again, are its fingerprint.</summary>
    private string LoadDrafter(string dir, bool fingerprint)
    {
        _ = DrafterSpec.LoadDirectory(dir);
        if (!fingerprint) return "";
        string again = files.PathOf("saved-" + Path.GetFileName(dir));
        if (Directory.Exists(again)) Directory.Delete(again, recursive: true);
        if (File.Exists(Path.Combine(dir, AmphistaConfig.FileName))) AmphistaWeights.Load(dir).Save(again);
        else MedusaWeights.Load(dir).Save(again);
        return string.Join(",", Directory.GetFiles(again, "*.safetensors").Order(StringComparer.Ordinal)
            .Select(f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))));
    }
}
