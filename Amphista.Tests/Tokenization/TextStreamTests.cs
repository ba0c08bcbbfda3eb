// Streaming detokenisation: spaces between tokens and held-back byte-fallback characters.
using Amphista.Model.Tokenization;
using Amphista.Tensors;

namespace Amphista.Tests.Tokenization;

public sealed class TextStreamTests
{
    private static TextTokenizer Tok => DemoTokenizer.Instance;

    [Fact]
    public void Emits_words_with_their_leading_spaces()
    {
        int[] prompt = Tok.Encode("In the");
        int[] all = Tok.Encode("In the beginning God");
        var stream = new TextStream(Tok, prompt);
        string text = string.Concat(all[prompt.Length..].Select(stream.Push));
        Assert.Equal(" beginning God", text);
        Assert.Equal("", stream.Flush());
    }

    [Fact]
    public void Holds_back_an_emoji_until_its_last_byte_token()
    {
        int[] ids = Tok.Encode("Amen 👍", addBos: true);
        int emojiStart = ids.Length - 4;
        var stream = new TextStream(Tok, ids[..emojiStart]);
        Assert.Equal(["", "", "", "👍"], ids[emojiStart..].Select(stream.Push).ToArray());
    }

    [Fact]
    public void Flush_releases_an_unfinished_byte_sequence_as_replacement_character()
    {
        int[] ids = Tok.Encode("x👍", addBos: false);
        var stream = new TextStream(Tok, [Tok.BosId]);
        string pushed = string.Concat(ids[..^2].Select(stream.Push));
        Assert.Equal("x", pushed);
        Assert.Equal("\uFFFD", stream.Flush());
        Assert.Equal("", stream.Flush());
    }

    [Fact]
    public void Eos_adds_no_text()
    {
        var stream = new TextStream(Tok, Tok.Encode("In the"));
        Assert.Equal("", stream.Push(Tok.EosId));
    }

    [Fact]
    public void Unknown_id_is_rejected()
    {
        var stream = new TextStream(Tok, [Tok.BosId]);
        var e = Assert.Throws<InputException>(() => stream.Push(Tok.VocabSize));
        Assert.Contains("4096", e.Message);
    }
}
