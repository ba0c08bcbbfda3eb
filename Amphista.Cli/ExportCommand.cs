using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Cli;

/// <summary>
/// amphista export [--model DIR|random:PRESET] --out DIR [--shards N]
/// Writes the model as a Hugging Face checkpoint directory (config.json and safetensors weights, in N
/// shards with model.safetensors.index.json when N > 1): a random preset becomes a real checkpoint on
/// disk, the same bits that --model random:PRESET builds in memory, for timing how checkpoints load.
/// </summary>
public static class ExportCommand
{
    public static int Run(string[] argv)
    {
        var args = new CliArguments("export", argv,
            new HashSet<string>([.. ModelOptions.Options, "--out", "--shards"]),
            new HashSet<string>(["--verbose"]));
        string outDir = args.Require("--out");
        int shards = args.Int("--shards", 1, min: 1);
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any())
            throw new InputException($"export: --out {outDir} is not empty");
        using var model = ModelOptions.LoadModel(args);
        HfCheckpointWriter.Write(outDir, model.Config, model.Weights, shards);
        Console.WriteLine($"wrote {outDir} ({model.Config.ShapeSummary()}, {shards} shard{(shards == 1 ? "" : "s")})");
        return 0;
    }
}
