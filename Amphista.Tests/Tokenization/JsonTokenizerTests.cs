// tokenizer.json against Hugging Face's own tokenizers: for a SentencePiece-style BPE vocabulary with byte fallback
// and a byte-level BPE vocabulary (Llama 3's, under its own pre-tokenizer and under SmolLM's), every reference text
// encodes to the same ids, with and without the special tokens, and decodes back to the same text.
using Amphista.Model.Tokenization;

namespace Amphista.Tests.Tokenization;

public sealed class JsonTokenizerTests
{
    public static TheoryData<string, int> Cases() => Data(_ => true);

    /// <summary>The cases with at least two ids: a prompt of one and something generated after it.</summary>
    public static TheoryData<string, int> StreamCases() => Data(reference => reference.Ids.Length >= 2);

    private static TheoryData<string, int> Data(Func<ReferenceCase, bool> keep)
    {
        var data = new TheoryData<string, int>();
        foreach (string name in JsonTokenizerFixture.All)
            foreach (var (reference, i) in JsonTokenizerFixture.Cases(name).Select((r, i) => (r, i)))
                if (keep(reference)) data.Add(name, i);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encodes_like_hugging_face(string name, int index)
    {
        var reference = JsonTokenizerFixture.Cases(name)[index];
        var tokenizer = JsonTokenizerFixture.Tokenizer(name);
        Assert.Equal(reference.Ids, tokenizer.Encode(reference.Text));
        Assert.Equal(reference.IdsNoSpecial, tokenizer.Encode(reference.Text, addBos: false));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decodes_like_hugging_face(string name, int index)
    {
        var reference = JsonTokenizerFixture.Cases(name)[index];
        var tokenizer = JsonTokenizerFixture.Tokenizer(name);
        Assert.Equal(reference.Decoded, tokenizer.Decode(reference.Ids, skipSpecial: false));
        Assert.Equal(reference.DecodedSkipSpecial, tokenizer.Decode(reference.Ids));
    }

    [Theory]
    [MemberData(nameof(StreamCases))]
    public void Streams_generated_text_as_it_becomes_final(string name, int index)
    {
        var reference = JsonTokenizerFixture.Cases(name)[index];
        var tokenizer = JsonTokenizerFixture.Tokenizer(name);
        int[] prompt = reference.Ids[..1], generated = reference.Ids[1..];
        var stream = new TextStream(tokenizer, prompt);
        string streamed = string.Concat(generated.Select(stream.Push)) + stream.Flush();
        Assert.Equal(tokenizer.DecodeContinuation(prompt, generated), streamed);
        Assert.Equal(reference.DecodedSkipSpecial, tokenizer.Decode(prompt) + streamed);
    }
}
