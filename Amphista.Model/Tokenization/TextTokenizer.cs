// The tokenizer of a model directory: tokenizer.model (SentencePiece) when it is there, else tokenizer.json (Hugging
// Face's format), with id validation and prefix-consistent continuation decoding for streaming generated text.
using Amphista.Model.Tokenization.Json;
using Amphista.Tensors;

namespace Amphista.Model.Tokenization;

/// <summary>Encodes prompts to token ids and decodes generated ids back to text.</summary>
public sealed class TextTokenizer
{
    public const string ModelFileName = "tokenizer.model";
    public const string JsonFileName = "tokenizer.json";

    private readonly ITokenizerFile file;

    private TextTokenizer(ITokenizerFile file, string path)
    {
        this.file = file;
        Path = path;
        VocabSize = file.VocabSize;
    }

    /// <summary>The file the tokenizer was read from.</summary>
    public string Path { get; }

    /// <summary>Number of ids; valid ids are 0 .. VocabSize - 1.</summary>
    public int VocabSize { get; }

    public int BosId => file.BosId ?? throw new InputException($"tokenizer {Path} names no beginning-of-sequence token");

    public int EosId => file.EosId ?? throw new InputException($"tokenizer {Path} names no end-of-sequence token");

    /// <summary>Whether a model directory holds a tokenizer file (a checkpoint without one still decodes token ids).</summary>
    public static bool Exists(string modelDirectory) =>
        File.Exists(System.IO.Path.Combine(modelDirectory, ModelFileName)) || File.Exists(System.IO.Path.Combine(modelDirectory, JsonFileName));

    /// <summary>Loads a model directory's tokenizer.model, or its tokenizer.json when it has no tokenizer.model.</summary>
    public static TextTokenizer Load(string modelDirectory)
    {
        string model = System.IO.Path.Combine(modelDirectory, ModelFileName), json = System.IO.Path.Combine(modelDirectory, JsonFileName);
        if (File.Exists(model)) return LoadFile(model);
        if (File.Exists(json)) return LoadFile(json);
        throw new AmphistaException($"tokenizer not found: {modelDirectory} has neither {ModelFileName} nor {JsonFileName}");
    }

    /// <summary>Loads one tokenizer file: a .json file as Hugging Face's tokenizer.json, anything else as a SentencePiece model.</summary>
    public static TextTokenizer LoadFile(string path)
    {
        if (!File.Exists(path))
            throw new AmphistaException($"tokenizer not found: {path} does not exist");
        ITokenizerFile file = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? JsonTokenizer.Load(path) : SentencePieceFile.Load(path);
        return new TextTokenizer(file, path);
    }

    /// <summary>
    /// Encodes text, preceded by BOS unless <paramref name="addBos"/> is false (more exactly: with the special
    /// tokens the tokenizer puts around a text; a tokenizer.json may add none, or EOS too). A tokenizer.model
    /// encodes text that looks like a special token ("&lt;/s&gt;") as plain characters, as SentencePiece does; a
    /// tokenizer.json gives it the special token's id, as Hugging Face's tokenizers do.
    /// </summary>
    public int[] Encode(string text, bool addBos = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        return file.Encode(text, addBos);
    }

    /// <summary>The vocabulary entry of each id, as the tokenizer file spells it: what an auditor compares.</summary>
    public string[] Tokens(ReadOnlySpan<int> ids)
    {
        Validate(ids);
        var tokens = new string[ids.Length];
        for (int i = 0; i < ids.Length; i++)
            tokens[i] = file.Token(ids[i]);
        return tokens;
    }

    /// <summary>
    /// Decodes ids to text, dropping BOS, EOS and other special tokens unless <paramref name="skipSpecial"/> is false.
    /// Like SentencePiece, the leading space of the first piece is removed (it is the dummy prefix); use
    /// <see cref="DecodeContinuation"/> for text after a prompt.
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecial = true)
    {
        Validate(ids);
        return file.Decode(ids.ToArray(), skipSpecial);
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
        string full = file.Decode(all, skipSpecial: true);
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

    private string DecodeValid(ReadOnlySpan<int> ids) => file.Decode(ids.ToArray(), skipSpecial: true);

    private static int CommonPrefixLength(string a, string b)
    {
        int n = Math.Min(a.Length, b.Length);
        int i = 0;
        while (i < n && a[i] == b[i])
            i++;
        return i;
    }
}
