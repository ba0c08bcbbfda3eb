// The errors a client sees: an HTTP status and OpenAI's error object, never an exception's stack trace.
using System.Text.Json.Serialization;

namespace Amphista.Server.Api;

/// <summary>A request the server refuses, with what to tell the client.</summary>
public sealed class ApiException(int status, string message, string type, string? param = null, string? code = null)
    : Exception(message)
{
    public int Status { get; } = status;

    public ApiError Error { get; } = new(message, type, param, code);

    /// <summary>Seconds after which trying again may succeed (429 and 503 carry it as Retry-After).</summary>
    public int? RetryAfterSeconds { get; init; }

    public ApiErrorBody Body => new(Error);

    public static ApiException Invalid(string? param, string message, string? code = null) =>
        new(400, message, "invalid_request_error", param, code);

    public static ApiException UnknownModel(string requested, string served) =>
        new(404, $"model '{requested}' does not exist: this server serves '{served}'", "invalid_request_error", "model", "model_not_found");

    public static ApiException QueueFull(int waiting, int retryAfter) =>
        new(429, $"the queue is full ({waiting} requests are waiting for the model); retry after {retryAfter} s",
            "requests", null, "rate_limit_exceeded") { RetryAfterSeconds = retryAfter };

    public static ApiException ShuttingDown() =>
        new(503, "the server is shutting down", "server_error", null, "server_shutting_down") { RetryAfterSeconds = 1 };
}

/// <summary>OpenAI's error object: {"error": {"message", "type", "param", "code"}}.</summary>
public sealed record ApiErrorBody(ApiError Error);

/// <remarks>param and code are written even when null: clients look for all four fields.</remarks>
public sealed record ApiError(
    string Message,
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Param,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Code);
