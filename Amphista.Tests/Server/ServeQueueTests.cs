using System.Net;
using static Amphista.Tests.Server.OpenAiHttp;

namespace Amphista.Tests.Server;

/// <summary>
/// The queue and the process around it, each on a server of its own: a full queue answers 429 with Retry-After;
/// SIGTERM refuses what waits, finishes what is being decoded, and exits 0 with nothing on stderr.
/// </summary>
public class ServeQueueTests
{
    // Long enough to be still decoding while the test sends its next request: four hundred tokens past EOS.
    private static readonly object Long = new { model = DemoServer.Model, prompt = "And God said", max_tokens = 400, ignore_eos = true };

    private static readonly object LongStream =
        new { model = DemoServer.Model, prompt = "And God said", max_tokens = 400, ignore_eos = true, stream = true };

    private static readonly object Short = new { model = DemoServer.Model, prompt = "And God said", max_tokens = 4 };

    [Fact]
    public async Task AFullQueueAnswers429WithRetryAfterAndServesAgainOnceFree()
    {
        using var server = new ServerProcess("--drafter", "greedy", "--max-queue", "1");
        var expected = Generated.By("--prompt", "And God said", "--max-new-tokens", "400", "--ignore-eos", "--drafter", "greedy");
        // Four long requests at once: one decodes, one waits, and the rest arrive long before the first is done.
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Post(server.Http, "/v1/completions", Body(Long))));
        foreach (var (status, body, response) in responses)
        {
            if (status == HttpStatusCode.OK)
            {
                ServedAnswer.FromJson(body).AssertEquals(expected);
                continue;
            }
            Assert.Equal("rate_limit_exceeded", AssertError(HttpStatusCode.TooManyRequests, status, body, "queue is full").GetProperty("code").GetString());
            Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {response.Headers.RetryAfter}");
        }
        int refused = responses.Count(r => r.Status == HttpStatusCode.TooManyRequests);
        Assert.InRange(refused, 1, 2);
        Assert.Equal(refused, (await server.Health()).GetProperty("refused").GetInt32());
        var answer = await Answer(server.Http, "/v1/completions", Short);
        answer.AssertEquals(Generated.By("--prompt", "And God said", "--max-new-tokens", "4", "--drafter", "greedy"));
    }

    [Fact]
    public async Task SigtermFinishesTheRequestBeingDecodedRefusesTheWaitingOneAndExitsCleanly()
    {
        using var server = new ServerProcess("--drafter", "greedy");
        var inFlight = Streamed(server.Http, "/v1/completions", LongStream);
        await server.WaitForHealth(h => h.GetProperty("decoding").GetBoolean(), "a request decoding");
        var waiting = Post(server.Http, "/v1/completions", Body(Short));
        await server.WaitForHealth(h => h.GetProperty("waiting").GetInt32() == 1 || !h.GetProperty("decoding").GetBoolean(), "a request waiting");
        var (exitCode, stderr) = server.Stop();

        (await inFlight).AssertEquals(Generated.By("--prompt", "And God said", "--max-new-tokens", "400", "--ignore-eos", "--drafter", "greedy"));
        var (status, body, _) = await waiting;
        if (status != HttpStatusCode.OK)   // unless the long request had already finished when SIGTERM came
            AssertError(HttpStatusCode.ServiceUnavailable, status, body, "shutting down");
        Assert.Equal(0, exitCode);
        Assert.Equal("", stderr);
    }
}
