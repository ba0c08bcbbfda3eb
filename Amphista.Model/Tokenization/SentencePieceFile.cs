// tokenizer.model: a SentencePiece BPE model (Llama/Vicuna style, with byte fallback) over Microsoft.ML.Tokenizers'
// LlamaTokenizer. Text that looks like a special token ("</s>") is encoded as plain characters, as SentencePiece does.
using Amphista.Tensors;
using Microsoft.ML.Tokenizers;

namespace Amphista.Model.Tokenization;

internal sealed class SentencePieceFile(LlamaTokenizer tokenizer) : ITokenizerFile
{
    public int VocabSize { get; } = tokenizer.Vocabulary.Count;

    public int? BosId => tokenizer.BeginningOfSentenceId;

    public int? EosId => tokenizer.EndOfSentenceId;

    public static SentencePieceFile Load(string path)
    {
        try
        {
            using FileStream stream = File.OpenRead(path);
            return new SentencePieceFile(LlamaTokenizer.Create(stream, addBeginOfSentence: true, addEndOfSentence: false));
        }
        catch (Exception e)
        {
            // Create reports bad files through whatever its parser happens to throw (protobuf errors, argument
            // errors for non-BPE models, even a NullReferenceException on an empty file), so all of it is bad input.
            throw new AmphistaException($"tokenizer {path} is not a usable SentencePiece BPE model: {e.Message}", e);
        }
    }

    public int[] Encode(string text, bool addSpecial)
    {
        // LlamaTokenizer returns no ids at all for "", even with BOS requested; SentencePiece and Hugging Face give
        // [BOS], which an empty prompt needs to have a position to generate from.
        if (text.Length == 0)
            return addSpecial ? [tokenizer.BeginningOfSentenceId] : [];
        return [.. tokenizer.EncodeToIds(text, addSpecial, addEndOfSentence: false)];
    }

    public string Decode(int[] ids, bool skipSpecial) => tokenizer.Decode(ids, considerSpecialTokens: !skipSpecial);

    private readonly Lazy<Dictionary<int, string>> tokens = new(() => tokenizer.Vocabulary.ToDictionary(p => p.Value, p => p.Key));

    public string Token(int id) => tokens.Value.GetValueOrDefault(id, "");
}
