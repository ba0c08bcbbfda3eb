using System.Net;
using System.Text.Json;
using Amphista.Model.Tokenization;
using Amphista.Tests.Support;
using static Amphista.Tests.Server.OpenAiHttp;

namespace Amphista.Tests.Server;

/// <summary>
/// Raw HTTP against amphista serve: completions and chat completions, streamed and not, are generate's output with
/// the same flags, token for token, with the decoder's statistics beside them.
/// </summary>
[Collection(DemoServerCollection.Name)]
public class ServeEqualsGenerateTests(DemoServer server)
{
    private const string Prompt = "And God said", Question = "Who made the heaven and the earth?";

    [Fact]
    public async Task ACompletionIsGeneratesOutputWithItsSteps()
    {
        var answer = await Answer(server.Http, "/v1/completions", new { model = DemoServer.Model, prompt = Prompt, max_tokens = 12 });
        var generated = Generated.By("--prompt", Prompt, "--max-new-tokens", "12");
        answer.AssertEquals(generated);
        Assert.Equal("length", answer.FinishReason);
        Assert.Equal("amphista", answer.Stats.GetProperty("decoder").GetString());
        Assert.Equal(generated.Steps, answer.Stats.GetProperty("steps").GetInt32());
        Assert.Equal(12.0 / generated.Steps, answer.Stats.GetProperty("mean_accepted").GetDouble());
    }

    [Fact]
    public async Task AStreamedCompletionSendsGeneratesTokensOneAChunk()
    {
        var answer = await Streamed(server.Http, "/v1/completions", new { model = DemoServer.Model, prompt = Prompt, max_tokens = 12, stream = true });
        answer.AssertEquals(Generated.By("--prompt", Prompt, "--max-new-tokens", "12"));
        Assert.Equal("length", answer.FinishReason);
    }

    [Fact]
    public async Task ASampledCompletionIsGeneratesSampledOutputStreamedOrNot()
    {
        var body = new { model = DemoServer.Model, prompt = Prompt, max_tokens = 12, temperature = 0.9, top_p = 0.95, top_k = 50, seed = 7 };
        var generated = Generated.By("--prompt", Prompt, "--max-new-tokens", "12", "--temperature", "0.9", "--top-p", "0.95",
            "--top-k", "50", "--seed", "7");
        var answer = await Answer(server.Http, "/v1/completions", body);
        answer.AssertEquals(generated);
        Assert.True(answer.Stats.GetProperty("lossless").GetBoolean());
        (await Streamed(server.Http, "/v1/completions", new { body.model, body.prompt, body.max_tokens, body.temperature, body.top_p,
            body.top_k, body.seed, stream = true })).AssertEquals(generated);
        // A different seed samples a different continuation.
        Assert.NotEqual(generated.NewIds, (await Answer(server.Http, "/v1/completions", body with { seed = 8 })).NewIds);
    }

    [Fact]
    public async Task TokenIdPromptsAreUsedAsTheyAre()
    {
        var answer = await Answer(server.Http, "/v1/completions", new { model = DemoServer.Model, prompt = new[] { 1, 350, 498 }, max_tokens = 8 });
        answer.AssertEquals(Generated.By("--prompt-ids", "1,350,498", "--max-new-tokens", "8"));
    }

    [Fact]
    public async Task AChatCompletionIsGenerateChatsOutput()
    {
        var answer = await Answer(server.Http, "/v1/chat/completions",
            new { model = DemoServer.Model, messages = new[] { new { role = "user", content = Question } }, max_tokens = 10 });
        answer.AssertEquals(Generated.By("--prompt", Question, "--chat", "--max-new-tokens", "10"));
    }

    [Fact]
    public async Task AStreamedChatCompletionIsGenerateChatsOutput()
    {
        var answer = await Streamed(server.Http, "/v1/chat/completions",
            new { model = DemoServer.Model, messages = new[] { new { role = "user", content = Question } }, max_tokens = 10, stream = true });
        answer.AssertEquals(Generated.By("--prompt", Question, "--chat", "--max-new-tokens", "10"));
    }

    [Fact]
    public async Task ChatWithASystemMessageAndEarlierTurnsUsesTheVicunaTemplate()
    {
        var answer = await Answer(server.Http, "/v1/chat/completions", new
        {
            model = DemoServer.Model,
            max_tokens = 4,
            messages = new[]
            {
                new { role = "system", content = "Answer briefly." },
                new { role = "user", content = "Who was first?" },
                new { role = "assistant", content = "Adam." },
                new { role = "user", content = Question },
            },
        });
        var tokenizer = TextTokenizer.Load(TestData.DemoDir);
        Assert.Equal(VicunaTemplate.EncodeChat(tokenizer, [("Who was first?", "Adam."), (Question, null)], "Answer briefly."), answer.PromptIds);
        answer.AssertEquals(Generated.By("--prompt-ids", string.Join(',', answer.PromptIds), "--max-new-tokens", "4"));
    }

    [Fact]
    public async Task AStopStringEndsTheTextBeforeItStreamedOrNot()
    {
        var generated = Generated.By("--prompt", Prompt, "--max-new-tokens", "12");
        const string stop = "Hebrew";
        int cut = generated.Text.IndexOf(stop, StringComparison.Ordinal);
        Assert.True(cut > 0, $"the stop string is not in generate's text '{generated.Text}'");
        var request = new { model = DemoServer.Model, prompt = Prompt, max_tokens = 12, stop = new[] { "nowhere", stop } };
        var answer = await Answer(server.Http, "/v1/completions", request);
        var streamed = await Streamed(server.Http, "/v1/completions", new { request.model, request.prompt, request.max_tokens, request.stop, stream = true });
        foreach (var served in new[] { answer, streamed })
        {
            Assert.Equal(generated.Text[..cut], served.Text);
            Assert.Equal("stop", served.FinishReason);
            Assert.Equal(generated.NewIds[..served.NewIds.Length], served.NewIds);
        }
    }

    [Fact]
    public async Task ModelsListsTheServedModelAndHealthTheQueue()
    {
        using var models = JsonDocument.Parse(await server.Http.GetStringAsync("/v1/models"));
        var model = Assert.Single(models.RootElement.GetProperty("data").EnumerateArray());
        Assert.Equal(DemoServer.Model, model.GetProperty("id").GetString());
        var health = await server.Process.Health();
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal("amphista", health.GetProperty("decoder").GetString());
        Assert.Equal("vicuna_v1.1", health.GetProperty("chat_template").GetString());
        var (status, body, _) = await Post(server.Http, "/v1/embeddings", "{}");
        AssertError(HttpStatusCode.NotFound, status, body, "no such endpoint");
    }
}
