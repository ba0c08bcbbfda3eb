// Encoding, decoding and loading of the demo SentencePiece tokenizer through TextTokenizer.
using Amphista.Model.Tokenization;
using Amphista.Tensors;

namespace Amphista.Tests.Tokenization;

public sealed class TextTokenizerTests
{
    private const string Genesis = "In the beginning God created the heaven.";
    private static readonly int[] GenesisIds = [1, 641, 262, 2339, 498, 3821, 262, 1156, 4034];

    private static TextTokenizer Tok => DemoTokenizer.Instance;

    [Fact]
    public void Reports_vocabulary_and_special_ids()
    {
        Assert.Equal(4096, Tok.VocabSize);
        Assert.Equal(1, Tok.BosId);
        Assert.Equal(2, Tok.EosId);
    }

    [Fact]
    public void Encodes_known_sentence_to_sentencepiece_ids() => Assert.Equal(GenesisIds, Tok.Encode(Genesis));

    [Fact]
    public void Encodes_without_bos_on_request() => Assert.Equal(GenesisIds[1..], Tok.Encode(Genesis, addBos: false));

    [Fact]
    public void Decodes_known_ids_back_to_sentence() => Assert.Equal(Genesis, Tok.Decode(GenesisIds));

    [Fact]
    public void Empty_text_encodes_to_bos_alone()
    {
        Assert.Equal([Tok.BosId], Tok.Encode(""));
        Assert.Empty(Tok.Encode("", addBos: false));
    }

    [Fact]
    public void Decode_skips_bos_eos_and_unk()
    {
        int[] ids = [Tok.BosId, .. GenesisIds[1..3], Tok.EosId, 0];
        Assert.Equal("In the", Tok.Decode(ids));
    }

    [Fact]
    public void Typed_end_of_sentence_marker_is_plain_text()
    {
        int[] ids = Tok.Encode("amen</s>");
        Assert.DoesNotContain(Tok.EosId, ids);
        Assert.Equal("amen</s>", Tok.Decode(ids));
    }

    [Fact]
    public void Continuation_keeps_the_space_that_decoding_new_ids_alone_drops()
    {
        int[] prompt = Tok.Encode("In the beginning");
        int[] all = Tok.Encode("In the beginning God");
        int[] added = all[prompt.Length..];
        Assert.Equal("God", Tok.Decode(added));
        Assert.Equal(" God", Tok.DecodeContinuation(prompt, added));
    }

    [Fact]
    public void Continuation_after_bos_alone_has_no_leading_space() =>
        Assert.Equal("In the", Tok.DecodeContinuation([Tok.BosId], GenesisIds[1..3]));

    [Fact]
    public void Continuation_completing_a_split_character_returns_the_whole_character()
    {
        int[] ids = Tok.Encode("x👍", addBos: false);
        int split = ids.Length - 2; // inside the emoji's four byte-fallback tokens
        Assert.EndsWith("\uFFFD", Tok.Decode(ids[..split]));
        Assert.Equal("👍", Tok.DecodeContinuation(ids[..split], ids[split..]));
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(100_000)]
    [InlineData(-1)]
    public void Unknown_id_is_rejected_with_id_and_vocab_size(int id)
    {
        var e = Assert.Throws<InputException>(() => Tok.Decode([1, 641, id]));
        Assert.Contains(id.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
        Assert.Contains("4096", e.Message);
        Assert.Throws<InputException>(() => Tok.DecodeContinuation([1], [id]));
        Assert.Throws<InputException>(() => Tok.DecodeContinuation([id], [641]));
    }

    [Fact]
    public void Missing_tokenizer_names_the_directory_and_both_files()
    {
        string dir = Path.Combine(Path.GetTempPath(), "amphista-no-tokenizer-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<AmphistaException>(() => TextTokenizer.Load(dir));
        Assert.Equal($"tokenizer not found: {dir} has neither tokenizer.model nor tokenizer.json", e.Message);
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3, 4, 5, 6, 7 })]
    [InlineData(new byte[] { (byte)'n', (byte)'o', (byte)'t', (byte)' ', (byte)'s', (byte)'p', (byte)'m' })]
    [InlineData(new byte[0])]
    public void Corrupt_model_file_is_an_amphista_exception(byte[] content)
    {
        string dir = Directory.CreateTempSubdirectory("amphista-bad-tokenizer-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "tokenizer.model"), content);
            var e = Assert.Throws<AmphistaException>(() => TextTokenizer.Load(dir));
            Assert.Contains(Path.Combine(dir, "tokenizer.model"), e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
