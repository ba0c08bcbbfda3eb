using Amphista.Tests.Tokenization;

namespace Amphista.Tests.Cli;

/// <summary>amphista tokenize: the ids a text becomes, each with its vocabulary entry, and the text ids decode to.</summary>
public sealed class TokenizeCliTests : IDisposable
{
    private readonly string dir = JsonTokenizerFixture.Unpack(JsonTokenizerFixture.SentencePiece);

    private string JsonFile => Path.Combine(dir, "tokenizer.json");

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static int[] Ids(System.Text.Json.JsonElement json) => [.. json.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32())];

    private static string[] Tokens(System.Text.Json.JsonElement json) =>
        [.. json.GetProperty("tokens").EnumerateArray().Select(e => e.GetString()!)];

    [Fact]
    public void Shows_the_ids_and_pieces_of_a_text_with_the_models_tokenizer()
    {
        var run = CliRunner.Run("tokenize", "--text", "In the beginning");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(["1,641,262,2339", "       1  \"<s>\"", "     641  \"▁In\"", "     262  \"▁the\"", "    2339  \"▁beginning\""],
            run.Stdout.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Reads_a_tokenizer_json_and_leaves_out_bos_on_request()
    {
        var json = CliRunner.Run("tokenize", "--tokenizer", JsonFile, "--text", "Hello world", "--json").Json();
        Assert.Equal([1, 22557, 1526], Ids(json));
        Assert.Equal(["<s>", "▁Hello", "▁world"], Tokens(json));
        Assert.Equal("Hello world", json.GetProperty("text").GetString());
        Assert.Equal(JsonFile, json.GetProperty("tokenizer").GetString());
        Assert.Equal([22557, 1526], Ids(CliRunner.Run("tokenize", "--tokenizer", JsonFile, "--text", "Hello world", "--no-special", "--json").Json()));
    }

    [Fact]
    public void Encodes_a_file_as_its_text()
    {
        string file = Path.Combine(dir, "prompt.txt");
        File.WriteAllText(file, "line one\n\ttab 👍\n");
        var fromFile = CliRunner.Run("tokenize", "--tokenizer", JsonFile, "--file", file, "--json").Json();
        var fromText = CliRunner.Run("tokenize", "--tokenizer", JsonFile, "--text", "line one\n\ttab 👍\n", "--json").Json();
        Assert.Equal(Ids(fromText), Ids(fromFile));
        Assert.Equal("line one\n\ttab 👍\n", fromFile.GetProperty("text").GetString());
    }

    [Fact]
    public void Decodes_ids_with_or_without_special_tokens()
    {
        var run = CliRunner.Run("tokenize", "--tokenizer", JsonFile, "--decode", "1,22557,1526");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("<s> Hello world\n", run.Stdout);
        Assert.Equal("Hello world\n", CliRunner.Run("tokenize", "--tokenizer", JsonFile, "--decode", "1,22557,1526", "--no-special").Stdout);
        var json = CliRunner.Run("tokenize", "--tokenizer", JsonFile, "--decode", "1,22557,1526", "--json").Json();
        Assert.Equal(["<s>", "▁Hello", "▁world"], Tokens(json));
    }

    [Fact]
    public void Prefers_tokenizer_model_when_a_directory_has_both()
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "models", "kjv-brown-14m", "tokenizer.model"), Path.Combine(dir, "tokenizer.model"));
        File.Copy(Path.Combine(AppContext.BaseDirectory, "models", "kjv-brown-14m", "config.json"), Path.Combine(dir, "config.json"));
        var json = CliRunner.Run("tokenize", "--model", dir, "--text", "In the beginning", "--json").Json();
        Assert.Equal(Path.Combine(dir, "tokenizer.model"), json.GetProperty("tokenizer").GetString());
        Assert.Equal([1, 641, 262, 2339], Ids(json));
    }

    [Fact]
    public void Bad_input_is_one_line()
    {
        CliRunner.Run("tokenize", "--tokenizer", JsonFile).AssertError(2, "give exactly one of --text TEXT, --file F and --decode 1,2,3");
        CliRunner.Run("tokenize", "--tokenizer", JsonFile, "--text", "a", "--decode", "1").AssertError(2, "give exactly one of");
        CliRunner.Run("tokenize", "--model", dir, "--tokenizer", JsonFile, "--text", "a").AssertError(2, "at most one of --model DIR and --tokenizer FILE");
        CliRunner.Run("tokenize", "--tokenizer", JsonFile, "--decode", "1,32000").AssertError(1, "token id 32000 is outside the vocabulary (size 32000");
        CliRunner.Run("tokenize", "--tokenizer", JsonFile, "--file", Path.Combine(dir, "absent.txt")).AssertError(1, "not found");
        CliRunner.Run("tokenize", "--tokenizer", Path.Combine(dir, "absent.json"), "--text", "a").AssertError(1, "tokenizer not found");
        CliRunner.Run("tokenize", "--model", "random:llama-68m", "--text", "a").AssertError(1, "has no tokenizer");
        string unigram = Path.Combine(dir, "unigram.json");
        File.WriteAllText(unigram, """{"model": {"type": "Unigram", "vocab": []}}""");
        CliRunner.Run("tokenize", "--tokenizer", unigram, "--text", "a").AssertError(1, "model type 'Unigram' is not supported");
    }
}
