// What TextTokenizer needs of a tokenizer file format: tokenizer.model (SentencePiece) or tokenizer.json (Hugging Face).
namespace Amphista.Model.Tokenization;

internal interface ITokenizerFile
{
    /// <summary>One more than the largest id the tokenizer can produce.</summary>
    int VocabSize { get; }

    int? BosId { get; }

    int? EosId { get; }

    /// <summary>The text's ids, with the special tokens the tokenizer puts around a text (BOS) when addSpecial.</summary>
    int[] Encode(string text, bool addSpecial);

    /// <summary>The text of valid ids; special tokens (BOS, EOS, ...) are left out when skipSpecial.</summary>
    string Decode(int[] ids, bool skipSpecial);

    /// <summary>The vocabulary entry of a valid id, as the file spells it ("▁the", "Ġthe", "&lt;0x0A&gt;").</summary>
    string Token(int id);
}
