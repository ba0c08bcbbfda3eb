using System.Net;
using static Amphista.Tests.Server.OpenAiHttp;

namespace Amphista.Tests.Server;

/// <summary>
/// Bad requests get a 4xx with OpenAI's error object naming what is wrong, never a stack trace, and the server
/// answers the next request as before; a client that leaves mid-stream frees the model at once.
/// </summary>
[Collection(DemoServerCollection.Name)]
public class ServeFaultTests(DemoServer server)
{
    private const string Completions = "/v1/completions";

    public static TheoryData<string, string, int, string, string?> BadRequests => new()
    {
        { "malformed JSON", """{"model": "kjv-brown-14m", "prompt": "And""", 400, "not valid JSON", null },
        { "not an object", "[1, 2]", 400, "must be a JSON object", null },
        { "a field of the wrong type", """{"model": "kjv-brown-14m", "prompt": "And", "max_tokens": "ten"}""", 400, "wrong type", "max_tokens" },
        { "a prompt of the wrong shape", """{"model": "kjv-brown-14m", "prompt": {"text": "And"}}""", 400, "prompt must be", "prompt" },
        { "no model", """{"prompt": "And"}""", 400, "model is required", "model" },
        { "an unknown model", """{"model": "gpt-4o", "prompt": "And"}""", 404, "does not exist", "model" },
        { "a prompt over the context", $$"""{"model": "kjv-brown-14m", "prompt": [{{string.Join(',', Enumerable.Repeat(262, 1100))}}]}""", 400, "context holds 1024", "prompt" },
        { "max_tokens over the limit", """{"model": "kjv-brown-14m", "prompt": "And", "max_tokens": 5000}""", 400, "ask for at most", "max_tokens" },
        { "a token id outside the vocabulary", """{"model": "kjv-brown-14m", "prompt": [1, 99999]}""", 400, "outside the vocabulary", "prompt" },
        { "too hot", """{"model": "kjv-brown-14m", "prompt": "And", "temperature": 2.5}""", 400, "temperature must be between 0 and 2", "temperature" },
        { "top_k 0", """{"model": "kjv-brown-14m", "prompt": "And", "temperature": 1, "top_k": 0}""", 400, "top_k must be at least 1", "top_k" },
        { "several choices", """{"model": "kjv-brown-14m", "prompt": "And", "n": 2}""", 400, "n must be 1", "n" },
        { "too many stop strings", """{"model": "kjv-brown-14m", "prompt": "And", "stop": ["a", "b", "c", "d", "e"]}""", 400, "at most 4", "stop" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task ABadCompletionRequestIsRefusedAndTheServerServesTheNext(string what, string body, int status, string message, string? param)
    {
        var (actual, json, _) = await Post(server.Http, Completions, body);
        var error = AssertError((HttpStatusCode)status, actual, json, message);
        Assert.True(param == error.GetProperty("param").GetString(), $"{what}: param {error.GetProperty("param")}");
        await AssertStillServes();
    }

    public static TheoryData<string, string, string> BadChats => new()
    {
        { "no messages", """{"model": "kjv-brown-14m", "messages": []}""", "messages is required" },
        { "an assistant message last", """{"model": "kjv-brown-14m", "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}""", "last message must be a user message" },
        { "a role out of turn", """{"model": "kjv-brown-14m", "messages": [{"role": "assistant", "content": "Hi"}]}""", "was expected" },
        { "an image part", """{"model": "kjv-brown-14m", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}""", "only {\"type\": \"text\"" },
        { "content of the wrong type", """{"model": "kjv-brown-14m", "messages": [{"role": "user", "content": 7}]}""", "must be a string or an array" },
    };

    [Theory]
    [MemberData(nameof(BadChats))]
    public async Task ABadChatRequestIsRefusedAndTheServerServesTheNext(string what, string body, string message)
    {
        var (status, json, _) = await Post(server.Http, "/v1/chat/completions", body);
        AssertError(HttpStatusCode.BadRequest, status, json, message);
        Assert.StartsWith("messages", json.GetProperty("error").GetProperty("param").GetString() ?? $"{what}: no param");
        await AssertStillServes();
    }

    [Fact]
    public async Task ABodyOverTheSizeLimitIs413()
    {
        string body = $$"""{"model": "kjv-brown-14m", "prompt": "{{new string('a', 2 << 20)}}"}""";
        var (status, json, _) = await Post(server.Http, Completions, body);
        AssertError(HttpStatusCode.RequestEntityTooLarge, status, json, "size limit of 1048576 bytes");
        await AssertStillServes();
    }

    [Fact]
    public async Task AWrongMethodIs405WithAnErrorObject()
    {
        var response = await server.Http.GetAsync(Completions);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        AssertError(HttpStatusCode.MethodNotAllowed, response.StatusCode, json.RootElement, "GET is not allowed");
    }

    [Fact]
    public async Task AClientThatLeavesMidStreamIsCancelledAndFreesTheModel()
    {
        int cancelledBefore = (await server.Process.Health()).GetProperty("cancelled").GetInt32();
        var request = new { model = DemoServer.Model, prompt = "And God said", max_tokens = 1000, ignore_eos = true, stream = true };
        await DropMidStream(server.Process.Address, Completions, request, events: 2);
        await server.Process.WaitForHealth(h => h.GetProperty("cancelled").GetInt32() > cancelledBefore && !h.GetProperty("decoding").GetBoolean(),
            "the dropped request cancelled");
        await AssertStillServes();
    }

    private async Task AssertStillServes()
    {
        var answer = await Answer(server.Http, Completions, new { model = DemoServer.Model, prompt = "And God said", max_tokens = 4 });
        answer.AssertEquals(Generated.By("--prompt", "And God said", "--max-new-tokens", "4"));
    }
}
