using Amphista.Cli.SelfTest;
using Amphista.Tensors.Kernels;

namespace Amphista.Tests.Cli;

/// <summary>
/// amphista selftest as a process: this machine passes with the JSON contract; --write stores the record it
/// computes; a reference that differs in one hash fails with one line naming the prompt and position.
/// </summary>
public class SelfTestCliTests
{
    [Fact]
    public void ThisMachineComputesTheReferenceBits()
    {
        var json = CliRunner.Run("selftest", "--json", "--threads", "2").Json();
        Assert.True(json.GetProperty("passed").GetBoolean());
        Assert.Equal(System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription, json.GetProperty("runtime").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("os").GetString()));
        Assert.False(string.IsNullOrEmpty(json.GetProperty("architecture").GetString()));
        Assert.Equal(VectorWidth.Accelerated.Select(w => w.ToString()),
            json.GetProperty("accelerated_widths").EnumerateArray().Select(w => w.GetString()));
        Assert.Equal(VectorWidth.Widest.ToString(), json.GetProperty("vector_width").GetString());
        Assert.Equal(2, json.GetProperty("threads").GetInt32());
        Assert.Equal(GoldenRecord.DefaultPrompts.Count, json.GetProperty("prompts").GetInt32());
        Assert.Equal(GoldenRecord.DefaultPrompts.Sum(p => p.Length), json.GetProperty("logits_rows").GetInt32());
        Assert.Equal(json.GetProperty("reference_logits_sha256").GetString(), json.GetProperty("logits_sha256").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.GetProperty("first_difference").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.GetProperty("first_greedy_difference").ValueKind);
    }

    [Fact]
    public void WriteStoresTheRecordAndOneChangedHashFailsNamingItsPromptAndPosition()
    {
        string dir = Directory.CreateTempSubdirectory("amphista-selftest-").FullName;
        try
        {
            string written = Path.Combine(dir, "written.json"), tampered = Path.Combine(dir, "tampered.json");
            var write = CliRunner.Run("selftest", "--write", written, "--vector-width", "128");
            Assert.True(write.ExitCode == 0, write.Stderr);
            // Any width computes the same bits, so regenerating the shipped record changes nothing.
            Assert.Equal(File.ReadAllText(GoldenRecord.ShippedPath), File.ReadAllText(written));

            var record = GoldenRecord.Load(written);
            var hashes = record.Prompts[2].LogitsSha256;
            hashes[3] = new string('0', 64);
            record.Save(tampered);
            var run = CliRunner.Run("selftest", "--reference", tampered);
            Assert.True(run.ExitCode == 1, $"exit code {run.ExitCode}; stderr: {run.Stderr}");
            string line = Assert.Single(run.StderrLines);
            Assert.StartsWith("amphista: selftest: prompt 2 position 3: the logits differ", line);
            Assert.Contains("FAILED", run.Stdout);

            var json = CliRunner.Run("selftest", "--reference", tampered, "--json");
            Assert.Equal(1, json.ExitCode);
            Assert.Contains("\"passed\":false", json.Stdout);
            Assert.Contains("\"first_difference\":{\"prompt\":2,\"position\":3}", json.Stdout);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "selftest", "--vector-width", "64" }, 2, "--vector-width: unknown vector width '64' (expected 512, 256, 128 or scalar)")]
    [InlineData(new[] { "forward", "--prompt-ids", "1", "--out", "x", "--vector-width", "wide" }, 2, "unknown vector width 'wide'")]
    [InlineData(new[] { "generate", "--prompt-ids", "1", "--device", "cpu-sim", "--vector-width", "256" }, 2, "--vector-width sets the CPU kernels' width")]
    [InlineData(new[] { "selftest", "--write", "x.json", "--reference", "y.json" }, 2, "give it without --reference")]
    [InlineData(new[] { "selftest", "--reference", "/no/such/record.json" }, 1, "reference record '/no/such/record.json' not found")]
    [InlineData(new[] { "selftest", "--model", "x" }, 2, "unknown argument '--model'")]
    public void MistakesAreOneLineWithTheirExitCode(string[] args, int exitCode, string message) =>
        CliRunner.Run(args).AssertError(exitCode, message);
}
