using Amphista.Model;
using Amphista.Model.Llama;
using Amphista.Model.Tokenization;
using Amphista.Tensors;
using Amphista.Tensors.Gpu;
using Amphista.Tensors.Kernels;

namespace Amphista.Cli;

/// <summary>The options every command shares: which model, on which device, how many threads, at which vector width.</summary>
public static class ModelOptions
{
    public static readonly string[] Options = ["--model", "--threads", "--device", "--vector-width"];

    /// <summary>--device values: the CPU kernels, a CUDA GPU, or ILGPU's CPU simulator running the GPU kernels (slow; tiny models).</summary>
    public static readonly string[] Devices = ["cpu", "cuda", "cpu-sim"];

    /// <summary>The embedded demo model, shipped next to the binary: the default of every command.</summary>
    public static string DefaultModelDir => Path.Combine(AppContext.BaseDirectory, "models", "kjv-brown-14m");

    /// <summary>The Amphista drafter trained for the demo model, shipped beside it.</summary>
    public static string DefaultDrafterDir => Path.Combine(AppContext.BaseDirectory, "models", "kjv-brown-14m-amphista");

    public static string ModelDir(CliArguments args) => args.Get("--model") ?? DefaultModelDir;

    /// <summary>
    /// generate's drafter when none is named: the shipped Amphista drafter on the demo model it was
    /// trained for; greedy decoding on any other model, which that drafter would not fit.
    /// </summary>
    public static string DefaultDrafter(CliArguments args) =>
        args.Get("--model") is null && Directory.Exists(DefaultDrafterDir) ? DefaultDrafterDir : DecodingOptions.Greedy;

    /// <summary>A model directory, or random:PRESET: a named shape with seeded random bf16 weights, built in memory.</summary>
    public static LlamaModel LoadModel(CliArguments args)
    {
        int threads = args.Int("--threads", Environment.ProcessorCount, min: 1);
        var kernels = Backend(args, threads);
        if (ModelPresets.Parse(ModelDir(args)) is not { } preset) return LlamaModel.Load(ModelDir(args), kernels);
        return new LlamaModel(ModelPresets.Config(preset), ModelPresets.Build(preset, DType.BF16, seed: 0, threads), kernels);
    }

    /// <summary>The kernels of --device: the model, drafters and decoders run unchanged on any of them.</summary>
    private static IKernels Backend(CliArguments args, int threads)
    {
        string device = args.Get("--device") ?? "cpu";
        if (!Devices.Contains(device)) throw new UsageException($"--device takes {string.Join(", ", Devices)}, not '{device}'");
        if (device != "cpu" && args.Has("--vector-width"))
            throw new UsageException($"--vector-width sets the CPU kernels' width; --device {device} runs the GPU kernels");
        return device switch
        {
            "cuda" when !GpuDevice.CudaAvailable =>
                throw new InputException("--device cuda: ILGPU finds no CUDA device on this machine (--device cpu runs on the CPU)"),
            "cuda" => new GpuBackend(GpuDevice.CreateCuda()),
            "cpu-sim" => new GpuBackend(GpuDevice.CreateCpuSimulator(groupWarps: 1)),
            _ => new CpuKernels(threads, Width(args)),
        };
    }

    /// <summary>
    /// --vector-width: the width the CPU kernels run at, by default the widest this machine accelerates.
    /// Any width gives the same bits; one this machine does not accelerate is emulated, only slower.
    /// </summary>
    public static VectorWidth Width(CliArguments args)
    {
        if (args.Get("--vector-width") is not { } text) return VectorWidth.Widest;
        try
        {
            return VectorWidth.Parse(text);
        }
        catch (InputException e)
        {
            throw new UsageException($"--vector-width: {e.Message}");
        }
    }

    /// <summary>The model's tokenizer (tokenizer.model, else tokenizer.json), refused when its ids do not fit the model's vocabulary.</summary>
    public static TextTokenizer LoadTokenizer(CliArguments args) =>
        ModelPresets.Parse(ModelDir(args)) is { } preset
            ? throw new InputException($"random:{preset} has no tokenizer: give token ids (--prompt-ids) or no prompts")
            : FitsModel(TextTokenizer.Load(ModelDir(args)), ModelDir(args));

    /// <summary>The model's tokenizer, or null for a random model or a checkpoint without tokenizer files: those decode token ids only.</summary>
    public static TextTokenizer? TokenizerIfAny(CliArguments args) =>
        ModelPresets.Parse(ModelDir(args)) is null && TextTokenizer.Exists(ModelDir(args)) ? LoadTokenizer(args) : null;

    // A larger tokenizer belongs to another model: its ids would index past the embedding table.
    private static TextTokenizer FitsModel(TextTokenizer tokenizer, string modelDir)
    {
        int modelVocab = LlamaConfig.Load(modelDir).VocabSize;
        if (tokenizer.VocabSize > modelVocab)
            throw new InputException($"tokenizer {tokenizer.Path} has {tokenizer.VocabSize} ids but the model's vocabulary " +
                $"(vocab_size in {Path.Combine(modelDir, "config.json")}) holds {modelVocab}: they do not belong together");
        return tokenizer;
    }
}
