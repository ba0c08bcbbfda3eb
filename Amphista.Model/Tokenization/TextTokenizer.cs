// SentencePiece (Llama/Vicuna-style BPE with byte fallback) tokenizer over Microsoft.ML.Tokenizers' LlamaTokenizer,
// with id validation and prefix-consistent continuation decoding for streaming generated text.
using Amphista.Tensors;
using Microsoft.ML.Tokenizers;

namespace Amphista.Model.Tokenization;

/// <summary>Encodes prompts to token ids and decodes generated ids back to text.</summary>
public sealed class TextTokenizer
{
    private const string ModelFileName = "tokenizer.model";

    private readonly LlamaTokenizer _tokenizer;

    private TextTokenizer(LlamaTokenizer tokenizer)
    {
        _tokenizer = tokenizer;
        VocabSize = tokenizer.Vocabulary.Count;
        BosId = tokenizer.BeginningOfSentenceId;
        EosId = tokenizer.EndOfSentenceId;
    }

    /// <summary>Number of pieces; valid ids are 0 .. VocabSize - 1.</summary>
    public int VocabSize { get; }

    public int BosId { get; }

    public int EosId { get; }

    /// <summary>Loads <c>tokenizer.model</c> (a SentencePiece ModelProto) from a model directory.</summary>
    public static TextTokenizer Load(string modelDirectory)
    {
        string path = Path.Combine(modelDirectory, ModelFileName);
        if (!File.Exists(path))
            throw new AmphistaException($"tokenizer not found: {path} does not exist");
        try
        {
            using FileStream stream = File.OpenRead(path);
            return new TextTokenizer(LlamaTokenizer.Create(stream, addBeginOfSentence: true, addEndOfSentence: false));
        }
        catch (Exception e)
        {
            // Create reports bad files through whatever its parser happens to throw (protobuf errors, argument
            // errors for non-BPE models, even a NullReferenceException on an empty file), so all of it is bad input.
            throw new AmphistaException($"tokenizer {path} is not a usable SentencePiece BPE model: {e.Message}", e);
        }
    }

    /// <summary>
    /// Encodes text with SentencePiece's dummy-prefix space, optionally preceded by BOS.
    /// Text that looks like a special token ("&lt;/s&gt;") is encoded as plain characters.
    /// </summary>
    public int[] Encode(string text, bool addBos = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        // LlamaTokenizer returns no ids at all for "", even with BOS requested; SentencePiece and Hugging Face give
        // [BOS], which an empty prompt needs to have a position to generate from.
        if (text.Length == 0)
            return addBos ? [BosId] : [];
        return [.. _tokenizer.EncodeToIds(text, addBos, addEndOfSentence: false)];
    }

    /// <summary>
    /// Decodes ids to text, dropping BOS, EOS and other control tokens. Like SentencePiece, the leading space of the
    /// first piece is removed (it is the dummy prefix); use <see cref="DecodeContinuation"/> for text after a prompt.
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids)
    {
        Validate(ids);
        return DecodeValid(ids);
    }

    /// <summary>
    /// The text that <paramref name="newIds"/> add after <paramref name="promptIds"/>: decode(prompt + new) minus
    /// decode(prompt). Decoding <paramref name="newIds"/> alone would lose the space that separates them from the
    /// prompt, because the decoder strips the first piece's leading "▁" as if it were the dummy prefix.
    /// </summary>
    public string DecodeContinuation(ReadOnlySpan<int> promptIds, ReadOnlySpan<int> newIds)
    {
        Validate(promptIds);
        Validate(newIds);
        return ContinuationText(DecodeValid(promptIds), promptIds, newIds);
    }

    /// <summary>Continuation text given the already decoded prompt text; ids must already be validated.</summary>
    internal string ContinuationText(string promptText, ReadOnlySpan<int> promptIds, ReadOnlySpan<int> newIds)
    {
        int[] all = new int[promptIds.Length + newIds.Length];
        promptIds.CopyTo(all);
        newIds.CopyTo(all.AsSpan(promptIds.Length));
        string full = _tokenizer.Decode(all);
        // The prompt's text only changes when it ends inside an unfinished UTF-8 sequence that the new ids complete
        // (its U+FFFD becomes a real character); then the common prefix is what was already there.
        int common = promptText.Length;
        if (!full.StartsWith(promptText, StringComparison.Ordinal))
            common = CommonPrefixLength(full, promptText);
        return full[common..];
    }

    internal void Validate(ReadOnlySpan<int> ids)
    {
        // The underlying decoder silently yields "" for ids outside the vocabulary, which would hide a model bug.
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)VocabSize)
                throw new InputException($"token id {id} is outside the vocabulary (size {VocabSize}, valid ids 0..{VocabSize - 1})");
        }
    }

    private string DecodeValid(ReadOnlySpan<int> ids) => _tokenizer.Decode(ids.ToArray());

    private static int CommonPrefixLength(string a, string b)
    {
        int n = Math.Min(a.Length, b.Length);
        int i = 0;
        while (i < n && a[i] == b[i])
            i++;
        return i;
    }
}
