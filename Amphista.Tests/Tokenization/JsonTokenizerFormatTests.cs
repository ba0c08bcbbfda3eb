// The tokenizer.json reader's edges: the older Metaspace spelling of SentencePiece-style BPE encodes alike, and every
// component it does not implement is refused by name, in one line that names the file.
using System.Text.Json.Nodes;
using Amphista.Model.Tokenization;
using Amphista.Tensors;

namespace Amphista.Tests.Tokenization;

public sealed class JsonTokenizerFormatTests : IDisposable
{
    private readonly string dir = JsonTokenizerFixture.Unpack(JsonTokenizerFixture.SentencePiece);

    private string JsonFile => Path.Combine(dir, "tokenizer.json");

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private void Rewrite(Action<JsonObject> change)
    {
        var root = JsonNode.Parse(File.ReadAllText(JsonFile))!.AsObject();
        change(root);
        File.WriteAllText(JsonFile, root.ToJsonString());
    }

    [Fact]
    public void Metaspace_pre_tokenizer_encodes_like_the_prepend_and_replace_normalizer()
    {
        // Mistral's and TinyLlama's older files: no normalizer, a Metaspace pre-tokenizer that adds "▁" to every stretch.
        Rewrite(root =>
        {
            root["normalizer"] = null;
            root["pre_tokenizer"] = JsonNode.Parse("""{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": false}""");
        });
        var tokenizer = TextTokenizer.LoadFile(JsonFile);
        // Except where a stretch of text starts with a space: Metaspace then adds no second "▁", Prepend does.
        var cases = JsonTokenizerFixture.Cases(JsonTokenizerFixture.SentencePiece)
            .Where(c => !c.Text.StartsWith(' ') && !c.Text.Contains("s> ") && !c.Text.Contains("k> ")).ToArray();
        Assert.True(cases.Length >= 12, $"{cases.Length} cases");
        foreach (var reference in cases)
            Assert.Equal(reference.Ids, tokenizer.Encode(reference.Text));
        Assert.Equal([1, 28705, 5374], tokenizer.Encode("  leading"));
    }

    [Theory]
    [InlineData("model", """{"type": "WordPiece", "vocab": {}}""", "model type 'WordPiece' is not supported (supported: BPE)")]
    [InlineData("normalizer", """{"type": "Lowercase"}""", "normalizer type 'Lowercase' is not supported")]
    [InlineData("pre_tokenizer", """{"type": "Whitespace"}""", "pre-tokenizer type 'Whitespace' is not supported")]
    [InlineData("decoder", """{"type": "WordPiece", "prefix": "##"}""", "decoder type 'WordPiece' is not supported")]
    [InlineData("post_processor", """{"type": "BertProcessing"}""", "post-processor type 'BertProcessing' is not supported")]
    public void Unsupported_components_are_named(string component, string json, string message)
    {
        Rewrite(root => root[component] = JsonNode.Parse(json));
        var e = Assert.Throws<AmphistaException>(() => TextTokenizer.LoadFile(JsonFile));
        Assert.StartsWith($"tokenizer {JsonFile}: {message}", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("{\"model\": ")]
    [InlineData("[1, 2]")]
    [InlineData("{}")]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 2147483647}, \"merges\": []}}")]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [[1, 2]]}}")]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}, \"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"Regex\": \"(\"}, \"behavior\": \"Isolated\"}}")]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}, \"decoder\": {\"type\": \"Strip\", \"content\": \"ab\", \"start\": 1, \"stop\": 0}}")]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}, \"post_processor\": {\"type\": \"TemplateProcessing\", \"single\": [{\"SpecialToken\": {\"id\": \"a\"}}], \"special_tokens\": {\"a\": {\"ids\": [\"x\"]}}}}")]
    public void Broken_files_are_bad_input(string text)
    {
        File.Delete(Path.Combine(dir, "tokenizer_config.json"));   // its BOS is no token of these files
        File.WriteAllText(JsonFile, text);
        var e = Assert.Throws<AmphistaException>(() => TextTokenizer.LoadFile(JsonFile));
        Assert.StartsWith($"tokenizer {JsonFile}", e.Message);
    }
}
