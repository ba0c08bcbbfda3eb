using System.Text.Json;
using Amphista.Model.Checkpoints;
using Amphista.Tests.Support;
using Amphista.Tests.Tokenization;

namespace Amphista.Tests.Cli;

/// <summary>
/// A Hugging Face checkpoint without tokenizer files (hf-tiny-a, copied to a temporary directory) runs every command
/// that takes token ids; text needs a tokenizer, and a tokenizer with more ids than the model's vocabulary is refused.
/// </summary>
public sealed class NoTokenizerCliTests : IDisposable
{
    private static readonly int[] Prompt = [1, 5, 9, 13, 200, 7, 3];   // hf-tiny-a's reference prompt p0

    private readonly string model = Directory.CreateTempSubdirectory("amphista-no-tokenizer-").FullName;

    public NoTokenizerCliTests()
    {
        foreach (string file in Directory.GetFiles(TestData.TinyDir))
            File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
    }

    public void Dispose() => Directory.Delete(model, recursive: true);

    private static string Ids(IEnumerable<int> ids) => string.Join(',', ids);

    /// <summary>The 40 tokens Hugging Face's greedy decoding gives after the prompt.</summary>
    private static int[] ReferenceContinuation()
    {
        using var refs = Checkpoint.OpenFile(Path.Combine(TestData.TinyDir, "reference_outputs.safetensors"));
        return [.. refs.ReadI64("p0_tokens")[Prompt.Length..].Select(t => checked((int)t))];
    }

    [Fact]
    public void Generate_decodes_token_ids_and_reports_no_text()
    {
        var json = CliRunner.Run("generate", "--model", model, "--prompt-ids", Ids(Prompt),
            "--max-new-tokens", "40", "--ignore-eos", "--json").Json();
        Assert.Equal(ReferenceContinuation(), json.GetProperty("new_ids").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(JsonValueKind.Null, json.GetProperty("text").ValueKind);
    }

    [Fact]
    public void Generate_prints_the_new_ids_when_there_is_no_text()
    {
        var run = CliRunner.Run("generate", "--model", model, "--prompt-ids", Ids(Prompt), "--max-new-tokens", "40", "--ignore-eos");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(Ids(ReferenceContinuation()), run.Stdout.Trim());
    }

    [Fact]
    public void Verify_eval_bench_and_forward_run_on_token_ids()
    {
        string outFile = Path.Combine(model, "forward.safetensors");
        string chart = Path.Combine(model, "bench.svg");
        string[][] commands =
        [
            ["verify", "--model", model, "--drafter", "medusa:random", "--prompt-ids", Ids(Prompt), "--max-new-tokens", "8"],
            ["verify", "--model", model, "--drafter", "amphista:random", "--random-prompts", "2", "--max-new-tokens", "8"],
            ["eval", "--model", model, "--drafter", "medusa:random", "--prompt-ids", Ids(Prompt), "--max-new-tokens", "8", "--repeats", "1", "--json"],
            ["bench", "--model", model, "--drafters", "medusa:random", "--max-prompts", "2", "--max-new-tokens", "8", "--repeats", "1",
                "--chart", chart, "--json"],
            ["forward", "--model", model, "--prompt-ids", Ids(Prompt), "--out", outFile],
        ];
        foreach (string[] command in commands)
        {
            var run = CliRunner.Run(command);
            Assert.True(run.ExitCode == 0, $"{string.Join(' ', command)}: exit {run.ExitCode}; {run.Stderr}");
        }
        Assert.True(File.Exists(outFile));
    }

    [Fact]
    public void Text_prompts_need_a_tokenizer()
    {
        CliRunner.Run("generate", "--model", model, "--prompt", "Hello").AssertError(1,
            $"tokenizer not found: {model} has neither tokenizer.model nor tokenizer.json");
    }

    [Fact]
    public void A_tokenizer_larger_than_the_models_vocabulary_is_refused()
    {
        JsonTokenizerFixture.Unpack(JsonTokenizerFixture.SentencePiece, into: model);
        string expected = $"tokenizer {Path.Combine(model, "tokenizer.json")} has 32000 ids but the model's vocabulary " +
            $"(vocab_size in {Path.Combine(model, "config.json")}) holds 512";
        CliRunner.Run("generate", "--model", model, "--prompt", "Hello").AssertError(1, expected);
        CliRunner.Run("generate", "--model", model, "--prompt-ids", Ids(Prompt)).AssertError(1, expected);
        CliRunner.Run("tokenize", "--model", model, "--text", "Hello").AssertError(1, expected);
    }
}
