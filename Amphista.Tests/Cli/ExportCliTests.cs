namespace Amphista.Tests.Cli;

/// <summary>amphista export writes a model as a Hugging Face checkpoint that computes what the model does.</summary>
public sealed class ExportCliTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("amphista-export-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void The_demo_model_exported_in_shards_gives_the_same_logits()
    {
        string exported = Path.Combine(dir, "model");
        var run = CliRunner.Run("export", "--out", exported, "--shards", "2");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.True(File.Exists(Path.Combine(exported, "model.safetensors.index.json")), "no index for 2 shards");

        string[] outputs = [Path.Combine(dir, "demo.safetensors"), Path.Combine(dir, "exported.safetensors")];
        Assert.Equal(0, CliRunner.Run("forward", "--prompt-ids", "1,350,498", "--out", outputs[0]).ExitCode);
        Assert.Equal(0, CliRunner.Run("forward", "--model", exported, "--prompt-ids", "1,350,498", "--out", outputs[1]).ExitCode);
        Assert.Equal(File.ReadAllBytes(outputs[0]), File.ReadAllBytes(outputs[1]));
    }

    [Fact]
    public void Export_refuses_a_directory_that_holds_files()
    {
        File.WriteAllText(Path.Combine(dir, "keep.txt"), "mine");
        CliRunner.Run("export", "--out", dir).AssertError(1, "is not empty");
        Assert.Equal(["keep.txt"], Directory.GetFiles(dir).Select(f => Path.GetFileName(f)));
    }
}
