// Incremental detokenizer for generated ids: emits text as soon as it is final, never a half-decoded character.
using System.Runtime.InteropServices;

namespace Amphista.Model.Tokenization;

/// <summary>
/// Turns generated ids into printable text one token at a time. Each push re-decodes the whole continuation
/// (prompt + generated so far) and returns only what was not yet emitted; this keeps the spaces right, which
/// per-token decoding would not (see <see cref="TextTokenizer.DecodeContinuation"/>), and costs one decode of the
/// sequence per token, small next to a forward pass.
/// </summary>
public sealed class TextStream
{
    private const char ReplacementChar = '\uFFFD';

    private readonly TextTokenizer tokenizer;
    private readonly int[] promptIds;
    private readonly string promptText;
    private readonly List<int> generated = [];
    private int emitted;

    public TextStream(TextTokenizer tokenizer, ReadOnlySpan<int> promptIds)
    {
        this.tokenizer = tokenizer;
        this.promptIds = promptIds.ToArray();
        promptText = tokenizer.Decode(this.promptIds);
    }

    /// <summary>
    /// Adds one generated id and returns the text that became printable. While the text ends in U+FFFD it may be an
    /// unfinished byte-fallback character (an emoji takes four byte tokens), so that tail is held back.
    /// </summary>
    public string Push(int id)
    {
        tokenizer.Validate([id]);
        generated.Add(id);
        string text = Continuation();
        int printable = text.Length;
        while (printable > emitted && text[printable - 1] == ReplacementChar)
            printable--;
        return Emit(text, printable);
    }

    /// <summary>Returns whatever is still held back (a byte sequence that never completed shows as U+FFFD).</summary>
    public string Flush()
    {
        string text = Continuation();
        return Emit(text, text.Length);
    }

    private string Continuation() =>
        tokenizer.ContinuationText(promptText, promptIds, CollectionsMarshal.AsSpan(generated));

    private string Emit(string text, int printable)
    {
        if (printable <= emitted)
            return "";
        string piece = text[emitted..printable];
        emitted = printable;
        return piece;
    }
}
