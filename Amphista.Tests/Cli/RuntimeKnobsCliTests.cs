using Amphista.Model.Checkpoints;
using Amphista.Tests.Support;

namespace Amphista.Tests.Cli;

/// <summary>
/// amphista forward writes the same bytes whatever vectors the runtime lets the JIT use (AVX-512 off,
/// 128-bit vectors, no FMA, no vectors at all) and at 1 and 2 threads, on the demo model and on hf-tiny-a:
/// the kernels' bits depend on no machine feature (SPEC §2), so a process narrowed by the runtime's knobs
/// stands in for a smaller machine. DOTNET_EnableAVX512F=0 narrows nothing in .NET 10; it stays
/// as the knob a porter is likely to try.
/// </summary>
public class RuntimeKnobsCliTests
{
    private static readonly string[] Knobs =
    [
        "",
        "DOTNET_EnableAVX512=0",
        "DOTNET_EnableAVX512F=0",
        "DOTNET_PreferredVectorBitWidth=128",
        "DOTNET_EnableAVX2=0",
        "DOTNET_EnableHWIntrinsic=0",
    ];

    /// <summary>"The LORD is my shepherd, and": ids inside hf-tiny-a's vocabulary of 512; 7 rows leave a three-row weight tile.</summary>
    private const string Prompt = "1,348,429,331,456,510,274";

    public static TheoryData<string> Models => new("kjv-brown-14m", "hf-tiny-a");

    [Theory, MemberData(nameof(Models))]
    public void ForwardWritesTheSameBytesUnderEveryVectorKnobAndThreadCount(string model)
    {
        string dir = Directory.CreateTempSubdirectory("amphista-knobs-").FullName;
        try
        {
            string[] modelArgs = model == "hf-tiny-a" ? ["--model", TestData.TinyDir] : [];
            string? baseline = null;
            foreach (string knob in Knobs)
                foreach (string threads in new[] { "1", "2" })
                {
                    string name = $"{model} under {(knob == "" ? "the default environment" : knob)}, --threads {threads}";
                    string path = Path.Combine(dir, $"{Knobs.ToList().IndexOf(knob)}-{threads}.safetensors");
                    var run = CliRunner.Run(Environment(knob), ["forward", .. modelArgs, "--threads", threads, "--prompt-ids", Prompt, "--out", path]);
                    Assert.True(run.ExitCode == 0, $"{name}: exit code {run.ExitCode}; stderr: {run.Stderr}");
                    if (baseline is null) baseline = path;
                    else AssertSameBytes(baseline, path, $"{name}, against the default environment at --threads 1");
                }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static Dictionary<string, string> Environment(string knob) =>
        knob.Split('=') is [var name, var value] ? new() { [name] = value } : [];

    /// <summary>Byte equality of two forward outputs; on a difference, the first differing tensor and element.</summary>
    private static void AssertSameBytes(string expectedPath, string actualPath, string what)
    {
        if (File.ReadAllBytes(expectedPath).AsSpan().SequenceEqual(File.ReadAllBytes(actualPath))) return;
        using var expected = Checkpoint.OpenFile(expectedPath);
        using var actual = Checkpoint.OpenFile(actualPath);
        foreach (string tensor in new[] { "logits", "hidden" })
        {
            var info = expected.Info(tensor);
            Assertions.BitwiseEqual(expected.ReadF32(tensor, info.Shape), actual.ReadF32(tensor, info.Shape), $"{what}: tensor {tensor} {info.ShapeText}");
        }
        Assert.Fail($"{what}: the tensors are equal but the files' bytes differ (the safetensors header)");
    }
}
