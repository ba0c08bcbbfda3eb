// Property: Decode(Encode(s)) == s. SentencePiece here normalises by identity, escapes every space as "▁", adds one
// dummy-prefix "▁" and spells anything outside its pieces as UTF-8 byte tokens, and Decode removes exactly that one
// prefix space. So the round trip is exact for every well-formed UTF-16 string without U+2581 (the "▁" character
// itself, which the encoder cannot tell from an escaped space): leading, trailing and repeated spaces, tabs,
// newlines, control characters and emoji all survive.
using Amphista.Model.Tokenization;
using FsCheck;
using FsCheck.Fluent;

namespace Amphista.Tests.Tokenization;

public sealed class RoundTripTests
{
    private static TextTokenizer Tok => DemoTokenizer.Instance;

    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(300);

    private static Gen<string> Concat(Gen<string> atom) => Gen.ListOf(atom).Select(parts => string.Concat(parts));

    private static readonly Gen<string> PrintableAscii =
        Concat(Gen.Choose(0x20, 0x7E).Select(c => ((char)c).ToString()));

    // A mix of common text and arbitrary scalar values (including astral ones, so surrogate pairs), never a lone
    // surrogate and never U+2581.
    private static readonly Gen<string> WellFormedUnicode = Concat(Gen.Frequency(
        (4, Gen.Elements("the", " ", "  ", "\t", "\n", "\r\n", "LORD", ",", ".", "\0", "\u00A0", "\uFFFD")),
        (3, Gen.Elements("é", "ß", "ж", "中文", "ع", "e\u0301", "😀", "👍🏽", "🇺🇸", "\U0001F600\U0001F64F")),
        (2, Gen.Choose(0, 0xFFFF).Where(c => !char.IsSurrogate((char)c) && c != 0x2581).Select(c => ((char)c).ToString())),
        (1, Gen.Choose(0x10000, 0x10FFFF).Select(char.ConvertFromUtf32))));

    [Fact]
    public void Printable_ascii_round_trips_exactly() =>
        Check.One(Quick, Prop.ForAll(PrintableAscii.ToArbitrary(), s => Assert.Equal(s, Tok.Decode(Tok.Encode(s)))));

    [Fact]
    public void Well_formed_unicode_round_trips_exactly_with_and_without_bos() =>
        Check.One(Quick, Prop.ForAll(WellFormedUnicode.ToArbitrary(), s =>
        {
            Assert.Equal(s, Tok.Decode(Tok.Encode(s)));
            Assert.Equal(s, Tok.Decode(Tok.Encode(s, addBos: false)));
        }));

    [Theory]
    [InlineData(" leading")]
    [InlineData("trailing ")]
    [InlineData("   ")]
    [InlineData("two  spaces")]
    [InlineData("\n\tindented\r\n")]
    [InlineData("This is 👍, an emoji.")]
    [InlineData("")]
    public void Whitespace_and_byte_fallback_round_trip(string s) => Assert.Equal(s, Tok.Decode(Tok.Encode(s)));

    [Fact]
    public void Emoji_is_spelled_as_four_byte_tokens()
    {
        // 243..: the byte-fallback pieces <0xF0> <0x9F> <0x91> <0x8D> sit at id = byte + 3.
        Assert.Equal([0xF0 + 3, 0x9F + 3, 0x91 + 3, 0x8D + 3], Tok.Encode("👍", addBos: false)[1..]);
    }

    [Fact]
    public void Escaped_space_character_decodes_as_a_space() => Assert.Equal("a b", Tok.Decode(Tok.Encode("a\u2581b")));

    // A Fact, not InlineData: attribute metadata cannot carry a lone surrogate intact.
    [Fact]
    public void Lone_surrogate_decodes_as_replacement_character() =>
        Assert.Equal("a\uFFFDb", Tok.Decode(Tok.Encode("a\uD800b")));

    [Fact]
    public void Stream_pieces_join_to_the_continuation_for_any_split() =>
        Check.One(Quick, Prop.ForAll(WellFormedUnicode.ToArbitrary(), Gen.Choose(0, 1000).ToArbitrary(), (s, cut) =>
        {
            int[] ids = Tok.Encode(s);
            int split = 1 + cut % ids.Length;
            var stream = new TextStream(Tok, ids.AsSpan(0, split));
            var pieces = ids[split..].Select(stream.Push).ToList();
            string flushed = stream.Flush();

            Assert.Equal(Tok.DecodeContinuation(ids[..split], ids[split..]), string.Concat(pieces) + flushed);
            // Valid text leaves nothing held back unless it really ends in U+FFFD, and never cuts a surrogate pair.
            if (!s.EndsWith('\uFFFD'))
                Assert.Equal("", flushed);
            Assert.All(pieces, p => Assert.False(p.Length > 0 && char.IsHighSurrogate(p[^1])));
        }));
}
