using System.Diagnostics;
using Amphista.Decoding.Drafting.Amphista;
using Amphista.Tensors;
using Amphista.Training;
using Amphista.Training.Data;
using Amphista.Training.Drafters;

namespace Amphista.Cli;

/// <summary>
/// amphista train --drafter medusa|amphista [--model DIR] --data FILE --out DIR [--heads K] [--stages S]
///                [--block-layers B] [--mlp F] [--attention-heads H] [--own-lm-heads] [--targets corpus|self] [--seq-len T]
///                [--max-sequences N] [--max-tokens N] [--steps N] [--minutes M] [--batch B] [--lr X] [--seed S]
///                [--checkpoint-every N] [--resume] [--threads N]
/// Trains drafting heads on a frozen base model: sequences from the corpus (packed text) or the base
/// model's own continuations (self-distillation), their hidden states computed once, then
/// <see cref="Trainer"/>. OUT receives the drafter checkpoint (usable as --drafter OUT), training_log.json
/// and checkpoint/. Progress goes to stderr, the summary to stdout. Ctrl+C stops after the step in
/// flight and writes everything, so --resume can continue.
/// </summary>
public static class TrainCommand
{
    public const int DefaultSequenceLength = 128, DefaultCheckpointEvery = 100;

    public static int Run(string[] argv)
    {
        var args = new CliArguments("train", argv,
            new HashSet<string>([.. ModelOptions.Options, "--drafter", "--data", "--out", "--heads", "--stages", "--block-layers",
                "--mlp", "--attention-heads", "--targets", "--seq-len", "--max-sequences", "--max-tokens", "--steps", "--minutes", "--batch", "--lr", "--seed",
                "--checkpoint-every"]),
            new HashSet<string>(["--own-lm-heads", "--resume", "--verbose"]));
        string kind = args.Require("--drafter");
        if (kind is not ("medusa" or "amphista")) throw new UsageException($"train: --drafter must be medusa or amphista, got '{kind}'");
        string dataPath = args.Require("--data"), outDir = args.Require("--out");
        foreach (string flag in kind == "medusa" ? new[] { "--stages", "--mlp", "--attention-heads" } : ["--own-lm-heads"])
            if (args.Has(flag)) throw new UsageException($"train: {flag} does not apply to --drafter {kind}");
        string targets = args.Get("--targets") ?? "corpus";
        var mode = targets switch
        {
            "corpus" => TargetMode.Corpus,
            "self" or "distill" => TargetMode.SelfDistillation,
            var other => throw new UsageException($"train: --targets must be corpus, self or distill, got '{other}'"),
        };
        int heads = args.Int("--heads", DecodingOptions.DefaultHeads, min: 1);
        int blockLayers = args.Int("--block-layers", AmphistaConfig.DefaultBlockLayers, min: 1);
        int sequenceLength = args.Int("--seq-len", DefaultSequenceLength, min: 2);
        int? maxSequences = args.Has("--max-sequences") ? args.Int("--max-sequences", 0, min: 1) : null;
        int seed = args.Int("--seed", 0);
        int threads = args.Int("--threads", Environment.ProcessorCount, min: 1);
        var options = new TrainingOptions
        {
            Steps = args.Has("--steps") ? args.Int("--steps", 0, min: 1) : null,
            Minutes = args.Has("--minutes") ? args.Double("--minutes", 0, min: 1e-3, max: TrainingOptions.MaxMinutes) : null,
            Batch = args.Int("--batch", new TrainingOptions().Batch, min: 1),
            LearningRate = (float)args.Double("--lr", new TrainingOptions().LearningRate, min: 1e-9, max: 10),
            Seed = seed,
            CheckpointEvery = args.Int("--checkpoint-every", DefaultCheckpointEvery, min: 0),
            Distill = targets == "distill",
        };

        if (args.Get("--device") is { } device && device != "cpu")
            throw new UsageException($"train runs on the CPU: the trainer's backward passes are host code (--device {device} is for decoding)");
        var model = ModelOptions.LoadModel(args);
        var tokenizer = ModelOptions.LoadTokenizer(args);
        var clock = Stopwatch.StartNew();
        var corpus = TextCorpus.Load(dataPath, seed);
        // Self-distilled sequences end at EOS, mostly well short of L: a sequence cap alone would decode
        // far more documents than it keeps, so the token budget can be given directly.
        long maxTokens = args.Has("--max-tokens") ? args.Int("--max-tokens", 0, min: 1)
            : maxSequences is { } cap ? (long)cap * sequenceLength : long.MaxValue;
        var sequences = corpus.Sequences(tokenizer, model, new SequenceOptions(mode, sequenceLength, seed, maxTokens), threads);
        if (maxSequences is { } keep && sequences.Count > keep) sequences = sequences[..keep];
        if (sequences.Count == 0)
            throw new InputException($"train: '{dataPath}' gives no training sequence of {sequenceLength} tokens: give more text or a smaller --seq-len");
        using var hiddenStates = HiddenStateStore.Build(model, sequences, workers: threads);
        Console.Error.WriteLine($"data: {sequences.Count} sequences, {sequences.Sum(s => (long)s.Length)} tokens " +
            $"({(mode == TargetMode.Corpus ? "corpus text" : "self-distilled")}), hidden states in {clock.Elapsed.TotalSeconds:F1} s");

        ITrainableDrafter drafter = kind == "medusa"
            ? MedusaTrainable.Create(model, heads, blockLayers, sharedLmHead: !args.Has("--own-lm-heads"), baseModel: ModelOptions.ModelDir(args))
            : AmphistaTrainable.Create(model, heads, args.Int("--stages", Math.Min(AmphistaConfig.DefaultStages, heads), min: 1),
                blockLayers, args.Int("--mlp", model.Config.IntermediateSize, min: 1), seed,
                attentionHeads: args.Has("--attention-heads") ? args.Int("--attention-heads", 0, min: 1) : null);
        var trainer = new Trainer(drafter, hiddenStates, options, outDir, model.Weights.LmHead, threads);
        var printer = ProgressPrinter.ForStandardError();
        trainer.StepCompleted += printer.OnStep;
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // The first Ctrl+C stops cleanly after the step in flight; a second one ends the process at once.
            e.Cancel = !cancel.IsCancellationRequested;
            cancel.Cancel();
        };
        var log = trainer.Run(args.Has("--resume"), cancel.Token);
        printer.Finish();
        WriteSummary(log, outDir);
        return 0;
    }

    private static void WriteSummary(TrainingLog log, string outDir)
    {
        Console.WriteLine($"trained {log.Drafter} ({log.Heads} heads, {log.ParameterCount} parameters) on {log.Sequences} sequences " +
            $"({log.DataTokens} tokens): step {log.Steps} of {log.TotalSteps} in {ProgressPrinter.Duration(log.Seconds)}, " +
            $"{log.TokensSeen} tokens seen, {log.TokensPerSecond:F0} tokens/s");
        if (log.Periodic.Count > 0)
        {
            var last = log.Periodic[^1].Heads;
            Console.WriteLine($"last logged steps: loss {last.Loss:F3}, top-1 per head " +
                string.Join(' ', last.HeadAccuracy.Select(a => $"{100 * a:F1}%")));
        }
        Console.WriteLine($"wrote {outDir} (drafter checkpoint, {TrainingLog.FileName}, {TrainingCheckpoint.DirectoryName}/)");
        if (!log.Completed)
            Console.Error.WriteLine($"amphista: train: stopped at step {log.Steps} of {log.TotalSteps}; continue with the same flags and --resume");
    }
}
