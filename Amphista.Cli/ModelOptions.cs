using Amphista.Model.Llama;
using Amphista.Model.Tokenization;
using Amphista.Tensors.Kernels;

namespace Amphista.Cli;

/// <summary>The options every command shares: which model, how many threads.</summary>
public static class ModelOptions
{
    public static readonly string[] Options = ["--model", "--threads"];

    /// <summary>The embedded demo model, shipped next to the binary: the default of every command.</summary>
    public static string DefaultModelDir => Path.Combine(AppContext.BaseDirectory, "models", "kjv-brown-14m");

    public static string ModelDir(CliArguments args) => args.Get("--model") ?? DefaultModelDir;

    public static LlamaModel LoadModel(CliArguments args) =>
        LlamaModel.Load(ModelDir(args), new CpuKernels(args.Int("--threads", Environment.ProcessorCount, min: 1)));

    public static TextTokenizer LoadTokenizer(CliArguments args) => TextTokenizer.Load(ModelDir(args));
}
