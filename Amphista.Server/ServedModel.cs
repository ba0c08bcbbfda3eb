// The one model a server holds: weights, tokenizer, decoder and chat template, loaded once and shared by requests.
using Amphista.Decoding;
using Amphista.Model.Llama;
using Amphista.Model.Tokenization;

namespace Amphista.Server;

/// <summary>
/// What answers requests. The decoder runs on the queue's one worker thread; the tokenizer is also used by request
/// threads (encoding prompts), so every use of it goes through here, one at a time.
/// </summary>
public sealed class ServedModel(string id, LlamaModel model, TextTokenizer tokenizer, IDecoder decoder, ChatTemplate chat)
{
    private readonly Lock tokenizerLock = new();

    /// <summary>The name clients give as "model" (the model directory's name).</summary>
    public string Id { get; } = id;

    public LlamaModel Model { get; } = model;

    public IDecoder Decoder { get; } = decoder;

    public ChatTemplate Chat { get; } = chat;

    public int[] Encode(string text)
    {
        lock (tokenizerLock) return tokenizer.Encode(text);
    }

    public int[] EncodeChat(IReadOnlyList<(string User, string? Assistant)> turns, string? systemPrompt)
    {
        lock (tokenizerLock) return VicunaTemplate.EncodeChat(tokenizer, turns, systemPrompt);
    }

    public TextStream StartText(int[] prompt)
    {
        lock (tokenizerLock) return new TextStream(tokenizer, prompt);
    }

    public string Push(TextStream text, int id)
    {
        lock (tokenizerLock) return text.Push(id);
    }

    public string Flush(TextStream text)
    {
        lock (tokenizerLock) return text.Flush();
    }
}
