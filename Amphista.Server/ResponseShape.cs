// What differs between /v1/completions and /v1/chat/completions answers: object names and the shape of a choice.
using Amphista.Server.Api;

namespace Amphista.Server;

public sealed record ResponseShape(
    string IdPrefix, string Object, string ChunkObject,
    Func<GenerationResult, object> Choice, Func<string, string?, bool, object> Delta)
{
    public static readonly ResponseShape Completion = new("cmpl-", "text_completion", "text_completion",
        result => new TextChoice(0, result.Text, result.FinishReason),
        (text, finish, _) => new TextChoice(0, text, finish));

    /// <summary>Chat streams name the role in the first chunk only.</summary>
    public static readonly ResponseShape Chat = new("chatcmpl-", "chat.completion", "chat.completion.chunk",
        result => new MessageChoice(0, new ChatReply("assistant", result.Text), result.FinishReason),
        (text, finish, first) => new DeltaChoice(0, new ChatReply(first ? "assistant" : null, text), finish));
}
