using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Amphista.Tests.Server;

/// <summary>Raw HTTP to the server: JSON bodies in, status and JSON or server-sent events out.</summary>
public static class OpenAiHttp
{
    public static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> Post(HttpClient http, string path, string json)
    {
        var response = await http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        string text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return (response.StatusCode, document.RootElement.Clone(), response);
    }

    public static string Body(object request) => JsonSerializer.Serialize(request);

    /// <summary>A JSON answer with status 200.</summary>
    public static async Task<ServedAnswer> Answer(HttpClient http, string path, object request)
    {
        var (status, body, _) = await Post(http, path, Body(request));
        Assert.True(status == HttpStatusCode.OK, $"{path} answered {(int)status}: {body}");
        return ServedAnswer.FromJson(body);
    }

    /// <summary>A streamed answer: every "data:" event up to [DONE], which must come last.</summary>
    public static async Task<ServedAnswer> Streamed(HttpClient http, string path, object request)
    {
        using var response = await OpenStream(http, path, request);
        var chunks = new List<JsonElement>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await NextEvent(reader) is { } data)
        {
            if (data == "[DONE]")
            {
                Assert.Null(await NextEvent(reader));
                return ServedAnswer.FromStream(chunks);
            }
            using var chunk = JsonDocument.Parse(data);
            chunks.Add(chunk.RootElement.Clone());
        }
        throw new Xunit.Sdk.XunitException($"the stream ended without [DONE] after {chunks.Count} chunks");
    }

    /// <summary>Posts a streaming request and returns as soon as the headers are in, checked to be an event stream.</summary>
    public static async Task<HttpResponseMessage> OpenStream(HttpClient http, string path, object request)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(Body(request), Encoding.UTF8, "application/json") };
        var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return response;
    }

    /// <summary>
    /// A client that goes away mid-stream: posts a streaming request over a plain socket, reads this many events, and
    /// closes the connection (an HttpClient would drain the rest of the response to reuse the connection).
    /// </summary>
    public static async Task DropMidStream(Uri server, string path, object request, int events)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(server.Host, server.Port);
        var stream = socket.GetStream();
        byte[] body = Encoding.UTF8.GetBytes(Body(request));
        byte[] head = Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: application/json\r\n" +
            $"Content-Length: {body.Length}\r\n\r\n");
        await stream.WriteAsync(head);
        await stream.WriteAsync(body);
        using var reader = new StreamReader(stream);
        for (int seen = 0; seen < events;)
        {
            string line = await reader.ReadLineAsync() ?? throw new Xunit.Sdk.XunitException($"the stream ended after {seen} events");
            if (line.StartsWith("data: ", StringComparison.Ordinal)) seen++;
        }
    }

    /// <summary>The data of the next server-sent event, or null at the end of the stream.</summary>
    public static async Task<string?> NextEvent(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal)) return line["data: ".Length..];
            Assert.True(line.Length == 0, $"not a server-sent event line: '{line}'");
        }
        return null;
    }

    /// <summary>The OpenAI error contract: this status, and {"error": {"message", "type", "param", "code"}} with a one-line message.</summary>
    public static JsonElement AssertError(HttpStatusCode expected, HttpStatusCode status, JsonElement body, string messagePart)
    {
        Assert.True(status == expected, $"expected {(int)expected}, got {(int)status}: {body}");
        var error = body.GetProperty("error");
        Assert.Equal(["message", "type", "param", "code"], error.EnumerateObject().Select(p => p.Name));
        string message = error.GetProperty("message").GetString()!;
        Assert.Contains(messagePart, message);
        Assert.DoesNotContain("\n", message);
        Assert.DoesNotContain(" at Amphista.", message);
        return error;
    }
}
