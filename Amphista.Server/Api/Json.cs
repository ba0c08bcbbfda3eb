// Reading request bodies and writing responses as OpenAI's snake_case JSON, with every failure an ApiException.
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Amphista.Server.Api;

public static class Json
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.Strict,
        // Messages quote names with apostrophes; a JSON API need not escape them for HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// The body as T. Broken JSON and fields of the wrong type are 400s that name the field; a body over the size
    /// limit is a 413. Unknown fields are ignored, as clients send many the server has no use for.
    /// </summary>
    public static async Task<T> Read<T>(HttpContext context) where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(context.Request.Body, Options, context.RequestAborted)
                ?? throw ApiException.Invalid(null, "the body is JSON null; send a JSON object");
        }
        catch (JsonException e)
        {
            throw Malformed(e);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            long? limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
            throw new ApiException(413, $"the body is over the size limit of {limit} bytes", "invalid_request_error", null, "request_too_large");
        }
    }

    // A syntax error comes from the reader (an inner JsonException); a value of the wrong type from the converter.
    private static ApiException Malformed(JsonException e)
    {
        string where = $"line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}";
        string? field = e.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : null;
        if (e.InnerException is JsonException) return ApiException.Invalid(null, $"the body is not valid JSON ({where})");
        return field is null
            ? ApiException.Invalid(null, "the body must be a JSON object")
            : ApiException.Invalid(field, $"field '{field}' has a value of the wrong type ({where})");
    }

    public static async Task Write<T>(HttpContext context, int status, T value)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, value, Options, context.RequestAborted);
    }
}
