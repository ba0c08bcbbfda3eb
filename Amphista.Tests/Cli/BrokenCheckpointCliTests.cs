using System.Buffers.Binary;
using Amphista.Tests.Checkpoints;

namespace Amphista.Tests.Cli;

/// <summary>
/// A checkpoint that cannot be loaded stops the command before it writes anything: one
/// "amphista: ..." line naming the file, exit 1, and no output file or directory created.
/// </summary>
public sealed class BrokenCheckpointCliTests : IDisposable
{
    private readonly TestFiles files = new();

    public void Dispose() => files.Dispose();

    public static TheoryData<string, string> Corruptions => new()
    {
        { "truncated weights", "is beyond the data block" },
        { "header length past the end", "runs past the end of the file" },
        { "config field of the wrong type", "num_hidden_layers" },
    };

    [Theory, MemberData(nameof(Corruptions))]
    public void Forward_export_and_train_write_nothing_when_the_model_does_not_load(string corruption, string message)
    {
        string model = BrokenModel(corruption);
        string data = files.WriteBytes("data.txt", "In the beginning God created the heaven and the earth.\n"u8.ToArray());
        string[] outputs = [files.PathOf("logits.safetensors"), files.PathOf("exported"), files.PathOf("drafter")];

        CliRunner.Run("forward", "--model", model, "--prompt-ids", "1,2", "--out", outputs[0]).AssertError(1, message);
        CliRunner.Run("export", "--model", model, "--out", outputs[1]).AssertError(1, message);
        CliRunner.Run("train", "--drafter", "medusa", "--model", model, "--data", data, "--out", outputs[2], "--steps", "1")
            .AssertError(1, message);

        Assert.All(outputs, path => Assert.False(Path.Exists(path), $"{path} was written although the model did not load"));
    }

    [Fact]
    public void A_drafter_whose_weights_do_not_load_is_one_line_and_exit_1()
    {
        string drafter = files.PathOf("medusa");
        Directory.CreateDirectory(drafter);
        foreach (string f in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "models", "kjv-brown-14m-medusa")))
            File.Copy(f, Path.Combine(drafter, Path.GetFileName(f)));
        string weights = Path.Combine(drafter, "medusa_lm_head.safetensors");
        byte[] bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes[..(bytes.Length / 2)]);

        CliRunner.Run("generate", "--drafter", drafter, "--prompt-ids", "1,2", "--max-new-tokens", "2").AssertError(1, weights);
    }

    /// <summary>A copy of the tiny Hugging Face model with one thing wrong.</summary>
    private string BrokenModel(string corruption)
    {
        string dir = files.PathOf("model");
        Directory.CreateDirectory(dir);
        foreach (string f in new[] { "config.json", "model.safetensors" })
            File.Copy(Path.Combine(TestFiles.TinyA, f), Path.Combine(dir, f));
        string weights = Path.Combine(dir, "model.safetensors"), config = Path.Combine(dir, "config.json");
        byte[] bytes = File.ReadAllBytes(weights);
        switch (corruption)
        {
            case "truncated weights":
                File.WriteAllBytes(weights, bytes[..(bytes.Length - 100)]);
                break;
            case "header length past the end":
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)bytes.Length);
                File.WriteAllBytes(weights, bytes);
                break;
            default:
                File.WriteAllText(config, File.ReadAllText(config).Replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": \"two\""));
                break;
        }
        return dir;
    }
}
