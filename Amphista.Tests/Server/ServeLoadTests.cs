using Amphista.Decoding;
using Amphista.Model.Tokenization;
using Amphista.Tests.Support;
using static Amphista.Tests.Server.OpenAiHttp;

namespace Amphista.Tests.Server;

/// <summary>
/// Many clients at once: every request is answered, and each answer is greedy decoding's output for its own prompt
/// (computed here, in this process: what generate's output equals, as the other serve tests check against generate
/// itself), nothing lost or crossed between clients, whether it came whole or streamed.
/// </summary>
[Collection(DemoServerCollection.Name)]
public class ServeLoadTests(DemoServer server)
{
    private const int Clients = 16, RequestsEach = 3, MaxTokens = 6;

    private static readonly string[] Prompts =
        ["And God said", "In the beginning", "The jury said", "Blessed are the", "It was a", "The city of", "And he went", "They were"];

    [Fact]
    public async Task SixteenClientsEachGetGreedyDecodingOfTheirOwnPrompt()
    {
        var tokenizer = TextTokenizer.Load(TestData.DemoDir);
        var expected = Prompts.Select(p => (Text: Greedy(tokenizer, tokenizer.Encode(p)),
            Chat: Greedy(tokenizer, VicunaTemplate.EncodeChat(tokenizer, [(p, null)])))).ToArray();
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

    private static Generated Greedy(TextTokenizer tokenizer, int[] prompt)
    {
        var result = new PlainDecoder(TestData.Demo).Generate(new DecodeRequest(prompt, MaxTokens, TestData.Demo.Config.EosTokenIds));
        return new Generated(prompt, result.Tokens, tokenizer.DecodeContinuation(prompt, result.Tokens), "greedy", result.Steps);
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
