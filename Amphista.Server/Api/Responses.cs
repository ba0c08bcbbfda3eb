// The response bodies and streamed chunks, as OpenAI defines them, plus the "amphista" extension field.
using System.Text.Json.Serialization;

namespace Amphista.Server.Api;

/// <summary>
/// A completion, chat completion or one streamed chunk of either: object names which. Choices hold
/// <see cref="TextChoice"/>, <see cref="MessageChoice"/> or <see cref="DeltaChoice"/>; the last chunk of a stream
/// has none and carries the usage.
/// </summary>
public sealed record Completion(
    string Id, string Object, long Created, string Model, IReadOnlyList<object> Choices, Usage? Usage, object? Amphista);

public sealed record TextChoice(
    int Index, string Text, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? FinishReason);

public sealed record MessageChoice(int Index, ChatReply Message, string FinishReason);

public sealed record DeltaChoice(
    int Index, ChatReply Delta, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? FinishReason);

/// <summary>A message, or in a stream the part of it that is new (role only in the first chunk).</summary>
public sealed record ChatReply(string? Role, string? Content);

public sealed record Usage(int PromptTokens, int CompletionTokens, int TotalTokens);

/// <summary>
/// The decoder's statistics for one request: base-model passes, new tokens per pass, whether the output is
/// bitwise greedy decoding's, and the token ids in and out. Steps and MeanAccepted are absent when a stop
/// sequence ended decoding before the decoder finished its run.
/// </summary>
public sealed record DecoderStats(string Decoder, int? Steps, double? MeanAccepted, bool Lossless, int[] PromptIds, int[] NewIds);

/// <summary>The extension field of a streamed token's chunk: the token it carries.</summary>
public sealed record StreamedToken(int TokenId);

/// <summary>GET /v1/models.</summary>
public sealed record ModelList(string Object, IReadOnlyList<ModelCard> Data);

public sealed record ModelCard(string Id, string Object, long Created, string OwnedBy);
