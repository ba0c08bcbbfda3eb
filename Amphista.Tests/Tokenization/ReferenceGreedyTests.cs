// The demo model's reference_greedy prompts and continuations, produced by the Python SentencePiece/transformers
// stack: the same ids for each prompt and the same continuation text.
using Amphista.Model.Tokenization;

namespace Amphista.Tests.Tokenization;

public sealed class ReferenceGreedyTests
{
    private static TextTokenizer Tok => DemoTokenizer.Instance;

    public static TheoryData<int> Indices => [.. Enumerable.Range(0, 12)];

    [Fact]
    public void There_are_twelve_references() => Assert.Equal(12, DemoTokenizer.References.Count);

    [Theory]
    [MemberData(nameof(Indices))]
    public void Prompt_encodes_to_reference_ids(int k)
    {
        var r = DemoTokenizer.References[k];
        Assert.Equal(r.PromptIds, Tok.Encode(r.Prompt));
    }

    [Theory]
    [MemberData(nameof(Indices))]
    public void Continuation_decodes_to_reference_text(int k)
    {
        var r = DemoTokenizer.References[k];
        string continuation = Tok.DecodeContinuation(r.PromptIds, r.NewIds);
        // The JSON holds Python's decode of the new ids alone, which drops the first piece's "▁" as if it were the
        // dummy prefix: " and of the fruit" is stored as "and of the fruit", while p9 (starting ",") has no space
        // to lose. So the reference is our continuation minus at most that one leading space.
        string expected = continuation.StartsWith(' ') ? continuation[1..] : continuation;
        Assert.Equal(r.Continuation, expected);
        Assert.Equal(r.Continuation, Tok.Decode(r.NewIds));
    }

    [Theory]
    [MemberData(nameof(Indices))]
    public void Stream_pieces_join_to_the_continuation(int k)
    {
        var r = DemoTokenizer.References[k];
        var stream = new TextStream(Tok, r.PromptIds);
        string streamed = string.Concat(r.NewIds.Select(stream.Push)) + stream.Flush();
        Assert.Equal(Tok.DecodeContinuation(r.PromptIds, r.NewIds), streamed);
    }
}
