// The Vicuna v1.1 chat prompt (FastChat "vicuna_v1.1", separator style ADD_COLON_TWO), used by Vicuna v1.1/v1.3/v1.5
// and the Medusa heads trained on them. The embedded demo model (kjv-brown-14m) is not chat-tuned: it is a plain
// language model on the KJV Bible and the Brown corpus, so give it raw text; this template is for Vicuna checkpoints.
using System.Text;
using Amphista.Tensors;

namespace Amphista.Model.Tokenization;

/// <summary>Formats and encodes conversations the way FastChat builds Vicuna prompts.</summary>
public static class VicunaTemplate
{
    public const string DefaultSystemPrompt =
        "A chat between a curious user and an artificial intelligence assistant. " +
        "The assistant gives helpful, detailed, and polite answers to the user's questions.";

    private const string Separator = " ";
    private const string EndOfTurn = "</s>";

    /// <summary>One user message with the assistant's turn left open: "{system} USER: {msg} ASSISTANT:".</summary>
    public static string Format(string userMessage, string? systemPrompt = null) =>
        Format([(userMessage, null)], systemPrompt);

    /// <summary>
    /// A conversation as text: completed assistant turns end with "&lt;/s&gt;"; a last turn without an answer ends
    /// with an open "ASSISTANT:" for the model to complete.
    /// </summary>
    public static string Format(IReadOnlyList<(string User, string? Assistant)> turns, string? systemPrompt = null)
    {
        var text = new StringBuilder();
        foreach ((string segment, bool completed) in Segments(turns, systemPrompt))
        {
            text.Append(segment);
            if (completed)
                text.Append(EndOfTurn);
        }
        return text.ToString();
    }

    /// <summary>
    /// Token ids for <see cref="Format(IReadOnlyList{ValueTuple{string, string}}, string?)"/>, starting with BOS and
    /// with the real EOS id after each completed assistant turn: the tokenizer would spell a typed "&lt;/s&gt;" out
    /// as characters. The text after an EOS is encoded as a fresh segment, so it gets SentencePiece's dummy-prefix
    /// space ("▁USER"), as Hugging Face's LlamaTokenizer does with legacy=true, the behaviour FastChat trained Vicuna
    /// under; legacy=false would give "USER" there.
    /// </summary>
    public static int[] EncodeChat(
        TextTokenizer tokenizer, IReadOnlyList<(string User, string? Assistant)> turns, string? systemPrompt = null)
    {
        var ids = new List<int>();
        foreach ((string segment, bool completed) in Segments(turns, systemPrompt))
        {
            ids.AddRange(tokenizer.Encode(segment, addBos: ids.Count == 0));
            if (completed)
                ids.Add(tokenizer.EosId);
        }
        return [.. ids];
    }

    // Splits the prompt at each end of a completed assistant turn, without the "</s>" itself, so that Format can
    // join with the text marker and EncodeChat with the EOS id.
    private static IEnumerable<(string Text, bool Completed)> Segments(IReadOnlyList<(string User, string? Assistant)> turns, string? systemPrompt)
    {
        if (turns.Count == 0)
            throw new InputException("a chat prompt needs at least one user turn");
        for (int i = 0; i < turns.Count - 1; i++)
        {
            if (turns[i].Assistant is null)
                throw new InputException($"chat turn {i + 1} of {turns.Count} has no assistant answer; only the last turn may be open");
        }

        var segment = new StringBuilder((systemPrompt ?? DefaultSystemPrompt) + Separator);
        foreach ((string user, string? assistant) in turns)
        {
            segment.Append("USER: ").Append(user).Append(Separator);
            if (assistant is null)
            {
                segment.Append("ASSISTANT:");
                yield return (segment.ToString(), false);
                yield break;
            }
            segment.Append("ASSISTANT: ").Append(assistant);
            yield return (segment.ToString(), true);
            segment.Clear();
        }
    }
}
