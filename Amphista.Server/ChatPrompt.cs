// OpenAI chat messages to the prompt's token ids through the served chat template.
using System.Text;
using System.Text.Json;
using Amphista.Server.Api;
using Amphista.Tensors;

namespace Amphista.Server;

/// <summary>
/// Reads messages as an optional system (or developer) message first, then user and assistant turns in turn,
/// ending with a user message for the model to answer: the conversations the Vicuna template can express.
/// </summary>
public static class ChatPrompt
{
    private const string Param = "messages";

    public static int[] Encode(ServedModel served, List<ChatMessage>? messages)
    {
        if (served.Chat.Unsupported is { } why) throw ApiException.Invalid(Param, why, "unsupported_chat_template");
        if (messages is null || messages.Count == 0) throw ApiException.Invalid(Param, "messages is required: a list of at least one message");
        int first = messages[0].Role is "system" or "developer" ? 1 : 0;
        string? system = first == 1 ? Content(messages[0], 0) : null;
        var turns = new List<(string User, string? Assistant)>();
        for (int i = first; i < messages.Count; i++)
        {
            bool userTurn = (i - first) % 2 == 0;
            string expected = userTurn ? "user" : "assistant";
            if (messages[i].Role != expected)
                throw ApiException.Invalid($"{Param}[{i}].role",
                    $"message {i} has role '{messages[i].Role}' but '{expected}' was expected: after an optional system message, " +
                    "user and assistant messages alternate, starting and ending with user");
            if (userTurn) turns.Add((Content(messages[i], i), null));
            else turns[^1] = (turns[^1].User, Content(messages[i], i));
        }
        if (turns.Count == 0 || turns[^1].Assistant is not null)
            throw ApiException.Invalid(Param, "the last message must be a user message for the model to answer");
        try
        {
            return served.EncodeChat(turns, system);
        }
        catch (InputException e)
        {
            throw ApiException.Invalid(Param, e.Message);
        }
    }

    /// <summary>A string, or the text parts of an array of content parts, joined.</summary>
    private static string Content(ChatMessage message, int index)
    {
        string param = $"{Param}[{index}].content";
        if (message.Content is not { } content) throw ApiException.Invalid(param, $"message {index} has no content");
        if (content.ValueKind == JsonValueKind.String) return content.GetString()!;
        if (content.ValueKind != JsonValueKind.Array)
            throw ApiException.Invalid(param, $"message {index}'s content must be a string or an array of text parts");
        var text = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.GetString() != "text"
                || !part.TryGetProperty("text", out var value) || value.ValueKind != JsonValueKind.String)
                throw ApiException.Invalid(param, $"message {index} has a content part this server cannot read: only {{\"type\": \"text\", \"text\": ...}} parts");
            text.Append(value.GetString());
        }
        return text.ToString();
    }
}
