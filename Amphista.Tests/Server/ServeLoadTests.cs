using static Amphista.Tests.Server.OpenAiHttp;

namespace Amphista.Tests.Server;

/// <summary>
/// Many clients at once: every request is answered, and each answer is generate's output for its own prompt,
/// nothing lost or crossed between clients, whether it came whole or streamed.
/// </summary>
[Collection(DemoServerCollection.Name)]
public class ServeLoadTests(DemoServer server)
{
    private const int Clients = 16, RequestsEach = 3, MaxTokens = 6;

    private static readonly string[] Prompts =
        ["And God said", "In the beginning", "The jury said", "Blessed are the", "It was a", "The city of", "And he went", "They were"];

    [Fact]
    public async Task SixteenClientsEachGetTheirOwnGenerateOutput()
    {
        var expected = Prompts.Select(p => (Text: Generated.By("--prompt", p, "--max-new-tokens", $"{MaxTokens}"),
            Chat: Generated.By("--prompt", p, "--chat", "--max-new-tokens", $"{MaxTokens}"))).ToArray();
        var clients = Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            for (int r = 0; r < RequestsEach; r++)
            {
                int k = (client * RequestsEach + r) % Prompts.Length;
                bool chat = (client + r) % 2 == 0, stream = client % 2 == 0;
                var answer = await Request(Prompts[k], chat, stream);
                answer.AssertEquals(chat ? expected[k].Chat : expected[k].Text);
            }
        })).ToArray();
        await Task.WhenAll(clients);
        var health = await server.Process.Health();
        Assert.Equal(0, health.GetProperty("refused").GetInt32());
    }

    private Task<ServedAnswer> Request(string prompt, bool chat, bool stream)
    {
        object request = chat
            ? new { model = DemoServer.Model, messages = new[] { new { role = "user", content = prompt } }, max_tokens = MaxTokens, stream }
            : new { model = DemoServer.Model, prompt, max_tokens = MaxTokens, stream };
        string path = chat ? "/v1/chat/completions" : "/v1/completions";
        return stream ? Streamed(server.Http, path, request) : Answer(server.Http, path, request);
    }
}
