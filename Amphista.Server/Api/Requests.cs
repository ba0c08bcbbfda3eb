// The request bodies of POST /v1/completions and POST /v1/chat/completions, as OpenAI defines them. Fields that
// take several JSON shapes (prompt, stop, content) stay JsonElement and are read by the code that interprets them.
using System.Text.Json;

namespace Amphista.Server.Api;

/// <summary>What both endpoints accept about decoding.</summary>
public abstract class GenerationRequest
{
    public string? Model { get; init; }
    public int? MaxTokens { get; init; }
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public long? Seed { get; init; }
    public JsonElement? Stop { get; init; }
    public bool? Stream { get; init; }
    public int? N { get; init; }
    public double? PresencePenalty { get; init; }
    public double? FrequencyPenalty { get; init; }

    /// <summary>Not OpenAI's: generate up to max_tokens even past end-of-sequence (generate --ignore-eos; vLLM has it too).</summary>
    public bool? IgnoreEos { get; init; }

    /// <summary>Not OpenAI's: sample from the k most likely tokens only (generate --top-k; vLLM and llama.cpp have it too).</summary>
    public int? TopK { get; init; }

    /// <summary>The cap on new tokens and the field it came from (chat has two names for it).</summary>
    public virtual (int? Value, string Param) TokenLimit => (MaxTokens, "max_tokens");
}

/// <summary>POST /v1/completions: prompt is a string or an array of token ids.</summary>
public sealed class CompletionRequest : GenerationRequest
{
    public JsonElement? Prompt { get; init; }
    public bool? Echo { get; init; }
    public int? Logprobs { get; init; }
}

/// <summary>POST /v1/chat/completions.</summary>
public sealed class ChatRequest : GenerationRequest
{
    public List<ChatMessage>? Messages { get; init; }
    public int? MaxCompletionTokens { get; init; }
    public bool? Logprobs { get; init; }
    public JsonElement? Tools { get; init; }

    public override (int? Value, string Param) TokenLimit =>
        MaxCompletionTokens is not null ? (MaxCompletionTokens, "max_completion_tokens") : (MaxTokens, "max_tokens");
}

/// <summary>One chat message: content is a string or an array of {"type": "text", "text": ...} parts.</summary>
public sealed record ChatMessage(string? Role, JsonElement? Content);
