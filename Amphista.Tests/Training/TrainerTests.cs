using System.Text.Json;
using Amphista.Decoding;
using Amphista.Decoding.Drafting.Medusa;
using Amphista.Tensors;
using Amphista.Tests.Support;
using Amphista.Training;
using Amphista.Training.Data;
using Amphista.Training.Drafters;
using Amphista.Training.Core;

namespace Amphista.Tests.Training;

/// <summary>
/// The training loop on Medusa heads over hf-tiny-a (D = 64, V = 512) and its own greedy continuations
/// of random prompts (learnable targets, as self-distillation gives): the same seed gives the same bits
/// on 1 and 2 threads, a run stopped and resumed from its checkpoint ends bit-identical to a straight run,
/// the loss falls, and the files land where they should.
/// </summary>
public class TrainerTests
{
    private const int Sequences = 8, Length = 24;

    private static HiddenStateStore Data(int seed = 3)
    {
        var model = TestData.Tiny;
        var greedy = new PlainDecoder(model);
        var rng = new Random(seed);
        var sequences = new List<TrainingSequence>();
        for (int i = 0; i < Sequences; i++)
        {
            int[] prompt = [1, .. Enumerable.Range(0, 3).Select(_ => rng.Next(3, model.Config.VocabSize))];
            int[] continuation = greedy.Generate(new DecodeRequest(prompt, Length - prompt.Length, [])).Tokens;
            sequences.Add(new TrainingSequence([.. prompt, .. continuation], prompt.Length));
        }
        return HiddenStateStore.Build(model, sequences);
    }

    private static MedusaTrainable Fresh() => MedusaTrainable.Create(TestData.Tiny, heads: 3);

    private static TrainingOptions Options(int steps, int seed = 0) =>
        new() { Steps = steps, Batch = 3, LearningRate = 1e-2f, Seed = seed, CheckpointEvery = 0, LogEvery = 2 };

    private static void InTemp(Action<string> body)
    {
        string directory = Path.Combine(Path.GetTempPath(), $"amphista-train-{Guid.NewGuid():N}");
        try { body(directory); }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    private static float[][] Weights(ITrainableDrafter drafter) => [.. drafter.Parameters.Select(p => p.Value.Data.ToArray())];

    private static void SameBits(float[][] expected, ITrainableDrafter actual, string what)
    {
        for (int i = 0; i < expected.Length; i++) Assertions.BitwiseEqual(expected[i], actual.Parameters[i].Value.Data, $"{what}: {actual.Parameters[i].Name}");
    }

    [Fact]
    public void The_same_seed_gives_bit_identical_weights_on_any_thread_count_and_another_seed_does_not()
    {
        using var data = Data();
        float[][] Train(int threads, int seed)
        {
            var drafter = Fresh();
            InTemp(dir => new Trainer(drafter, data, Options(5, seed), dir, threads: threads).Run());
            return Weights(drafter);
        }
        var one = Train(1, seed: 7);
        var two = Train(2, seed: 7);
        for (int i = 0; i < one.Length; i++) Assertions.BitwiseEqual(one[i], two[i], $"1 thread vs 2, parameter {i}");
        var other = Train(2, seed: 8);
        Assert.False(one.Zip(other).All(pair => pair.First.SequenceEqual(pair.Second)), "another seed orders the sequences differently");
    }

    [Fact]
    public void A_run_stopped_at_step_3_and_resumed_ends_bit_identical_to_a_straight_run_of_6()
    {
        using var data = Data();
        var straight = Fresh();
        InTemp(dir => Assert.True(new Trainer(straight, data, Options(6), dir).Run().Completed));
        InTemp(dir =>
        {
            using var stop = new CancellationTokenSource();
            var first = new Trainer(Fresh(), data, Options(6), dir);
            first.StepCompleted += p => { if (p.Step == 3) stop.Cancel(); };
            var stopped = first.Run(cancel: stop.Token);
            Assert.False(stopped.Completed);
            Assert.Equal(3, stopped.Steps);

            var resumed = Fresh();   // fresh weights: everything must come from the checkpoint
            var log = new Trainer(resumed, data, Options(6) with { Steps = null }, dir).Run(resume: true);
            Assert.True(log.Completed);
            Assert.Equal(6, log.TotalSteps);
            Assert.Equal(6 * 3 * Length, log.TokensSeen);
            SameBits(Weights(straight), resumed, "resumed vs straight");
            Assert.Equal([2, 4, 6], log.Periodic.Select(e => e.Step));
        });
    }

    [Fact]
    public void Resuming_refuses_other_options_or_other_data()
    {
        using var data = Data();
        using var otherData = Data(seed: 4);
        InTemp(dir =>
        {
            new Trainer(Fresh(), data, Options(2), dir).Run();
            var batch = Assert.Throws<InputException>(() => new Trainer(Fresh(), data, Options(2) with { Batch = 4 }, dir).Run(resume: true));
            Assert.Contains("batch 4 (checkpoint: 3)", batch.Message);
            var steps = Assert.Throws<InputException>(() => new Trainer(Fresh(), data, Options(9), dir).Run(resume: true));
            Assert.Contains("9", steps.Message);
            Assert.Throws<InputException>(() => new Trainer(Fresh(), otherData, Options(2), dir).Run(resume: true));
            var shape = Assert.ThrowsAny<AmphistaException>(() => new Trainer(MedusaTrainable.Create(TestData.Tiny, heads: 2), data, Options(2), dir).Run(resume: true));
            Assert.Contains("another drafter shape", shape.Message);
        });
    }

    [Fact]
    public void The_loss_falls_on_the_base_models_own_continuations()
    {
        using var data = Data();
        InTemp(dir =>
        {
            var log = new Trainer(Fresh(), data, Options(40) with { LogEvery = 5 }, dir).Run();
            double first = log.Periodic[0].Heads.Loss, last = log.Periodic[^1].Heads.Loss;
            Assert.True(last < 0.7 * first, $"mean head loss went from {first:F3} to {last:F3}");
            Assert.True(log.Periodic[^1].Heads.HeadAccuracy[0] > log.Periodic[0].Heads.HeadAccuracy[0], "head 0's top-1 accuracy did not rise");
            Assert.Equal(Enumerable.Range(0, 15).ToArray(), log.Epochs.Select(e => e.Epoch));   // 40 · 3 sequences of 8: 15 epochs
            Assert.All(log.Epochs, e => Assert.Equal(Sequences, e.Sequences));
        });
    }

    [Fact]
    public void Checkpoints_the_drafter_and_the_log_are_written()
    {
        using var data = Data();
        InTemp(dir =>
        {
            var drafter = Fresh();
            var trainer = new Trainer(drafter, data, Options(5) with { CheckpointEvery = 2 }, dir);
            string checkpoint = TrainingCheckpoint.PathIn(dir);
            var seenAt = new List<int>();
            trainer.StepCompleted += p => { if (File.Exists(checkpoint)) seenAt.Add(p.Step); };
            trainer.Run();
            Assert.Equal([3, 4, 5], seenAt);   // the first is written after step 2's report
            Assert.False(File.Exists(checkpoint + ".tmp"));

            var exported = MedusaWeights.Load(dir);
            Assert.Equal(drafter.Config, exported.Config);
            Assertions.BitwiseEqual(drafter.Parameters[0].Value.Data, exported.Heads[0].Blocks[0].Weight.F32, "exported W");
            using var log = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, TrainingLog.FileName)));
            Assert.Equal(5, log.RootElement.GetProperty("steps").GetInt32());
            Assert.True(log.RootElement.GetProperty("completed").GetBoolean());
            Assert.Equal(3, log.RootElement.GetProperty("periodic")[0].GetProperty("heads").GetProperty("head_accuracy").GetArrayLength());
        });
    }

    [Fact]
    public void A_time_budget_alone_sets_the_step_count_and_stops_the_run()
    {
        using var data = Data();
        InTemp(dir =>
        {
            var log = new Trainer(Fresh(), data, new TrainingOptions { Minutes = 0.03 }, dir).Run();
            Assert.True(log.TotalSteps >= 1);
            Assert.True(log.Seconds < 10, $"a 1.8 s budget took {log.Seconds:F1} s");
            Assert.True(File.Exists(TrainingCheckpoint.PathIn(dir)));
        });
    }
}
