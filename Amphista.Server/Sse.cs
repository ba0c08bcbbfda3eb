// Server-sent events, as OpenAI streams: one "data: {json}" event per chunk, then "data: [DONE]".
using System.Text;
using System.Text.Json;
using Amphista.Server.Api;
using Microsoft.AspNetCore.Http;

namespace Amphista.Server;

public static class Sse
{
    private static readonly byte[] DoneEvent = Encoding.UTF8.GetBytes("data: [DONE]\n\n");

    /// <summary>Sends one event now (flushed: a token reaches the client as soon as it is decoded).</summary>
    public static async Task Send<T>(HttpContext context, T chunk)
    {
        if (!context.Response.HasStarted)
        {
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
        }
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(chunk, Json.Options);
        var body = context.Response.Body;
        await body.WriteAsync("data: "u8.ToArray(), context.RequestAborted);
        await body.WriteAsync(json, context.RequestAborted);
        await body.WriteAsync("\n\n"u8.ToArray(), context.RequestAborted);
        await body.FlushAsync(context.RequestAborted);
    }

    public static async Task Done(HttpContext context) =>
        await context.Response.Body.WriteAsync(DoneEvent, context.RequestAborted);
}
