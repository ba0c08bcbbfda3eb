using Amphista.Model.Checkpoints;
using Amphista.Model.Llama;
using Amphista.Tensors.Kernels;

namespace Amphista.Tests.Support;

/// <summary>The real files the tests run on, shipped in the repository and copied next to the tests.</summary>
public static class TestData
{
    public static string TinyDir => Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf-tiny-a");
    public static string DemoDir => Path.Combine(AppContext.BaseDirectory, "models", "kjv-brown-14m");

    /// <summary>Copies the files of a drafter shipped beside the demo model (kjv-brown-14m-NAME) into a directory.</summary>
    public static void CopyShippedDrafter(string name, string directory)
    {
        foreach (string file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "models", $"kjv-brown-14m-{name}")))
            File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
    }

    private static readonly Lazy<LlamaModel> DemoModel = new(() => LlamaModel.Load(DemoDir, new CpuKernels(2)));
    private static readonly Lazy<LlamaModel> TinyModel = new(() => LlamaModel.Load(TinyDir, new CpuKernels(2)));

    /// <summary>The demo model on the fast kernels, loaded once per test run.</summary>
    public static LlamaModel Demo => DemoModel.Value;

    /// <summary>hf-tiny-a on the fast kernels, loaded once per test run.</summary>
    public static LlamaModel Tiny => TinyModel.Value;

    /// <summary>The 12 held-out prompts and their 48-token greedy continuations computed by transformers.</summary>
    public static IReadOnlyList<(int[] Prompt, int[] Continuation)> DemoReference()
    {
        using var file = Checkpoint.OpenFile(Path.Combine(DemoDir, "reference_greedy.safetensors"));
        var cases = new List<(int[], int[])>();
        for (int k = 0; file.Contains($"p{k}_tokens"); k++)
        {
            int[] tokens = file.ReadI64($"p{k}_tokens").Select(x => checked((int)x)).ToArray();
            int promptLength = checked((int)file.ReadI64($"p{k}_prompt_len")[0]);
            cases.Add((tokens[..promptLength], tokens[promptLength..]));
        }
        return cases;
    }
}
