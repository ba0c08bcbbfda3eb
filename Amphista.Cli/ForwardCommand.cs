using Amphista.Model.Checkpoints;
using Amphista.Tensors;

namespace Amphista.Cli;

/// <summary>
/// amphista forward [--model DIR] --prompt-ids 1,2,3 --out FILE
/// One full causal pass; writes logits [T, V] and the final normed hidden states hidden [T, D] as
/// float32 safetensors, for comparison against other implementations.
/// </summary>
public static class ForwardCommand
{
    public static int Run(string[] argv)
    {
        var args = new CliArguments("forward", argv,
            new HashSet<string>([.. ModelOptions.Options, "--prompt-ids", "--out"]),
            new HashSet<string>(["--verbose"]));
        int[] ids = args.Ids("--prompt-ids") ?? throw new UsageException("forward: --prompt-ids is required");
        string outPath = args.Require("--out");
        var model = ModelOptions.LoadModel(args);
        if (ids.Length > model.Config.MaxPositions)
            throw new InputException($"the prompt has {ids.Length} tokens but the model's context holds {model.Config.MaxPositions}");

        using var sequence = model.CreateSequenceState();
        var hidden = model.Forward(sequence, ids, Enumerable.Range(0, ids.Length).ToArray(), 0,
            AttentionMask.Causal(0, ids.Length));                                        // [T, D]
        var logits = model.Logits(sequence, hidden);                                         // [T, V]
        SafeTensorsWriter.WriteF32(outPath,
        [
            ("logits", [logits.Rows, logits.Cols], model.Kernels.ToHost(logits).Data),
            ("hidden", [hidden.Rows, hidden.Cols], model.Kernels.ToHost(hidden).Data),
        ]);
        return 0;
    }
}
