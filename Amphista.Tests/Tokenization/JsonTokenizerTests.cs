// tokenizer.json against Hugging Face's own tokenizers: for a SentencePiece-style BPE vocabulary with byte fallback
// and a byte-level BPE vocabulary (Llama 3's), every reference text encodes to the same ids, with and without the
// special tokens, and decodes back to the same text.
using Amphista.Model.Tokenization;

namespace Amphista.Tests.Tokenization;

public sealed class JsonTokenizerTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in new[] { JsonTokenizerFixture.SentencePiece, JsonTokenizerFixture.ByteLevel })
            for (int i = 0; i < JsonTokenizerFixture.Cases(name).Count; i++)
                data.Add(name, i);
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
}
