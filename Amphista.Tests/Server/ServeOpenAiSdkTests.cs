using System.ClientModel;
using System.Text;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;

namespace Amphista.Tests.Server;

/// <summary>The official OpenAI .NET SDK talks to amphista serve as to OpenAI, and gets generate's output.</summary>
[Collection(DemoServerCollection.Name)]
public class ServeOpenAiSdkTests(DemoServer server)
{
    private const string Question = "What is the first book of the Bible?";

    private OpenAIClient Client => new(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(server.Process.Address, "v1") });

    private static readonly ChatCompletionOptions Options = new() { MaxOutputTokenCount = 10, Temperature = 0 };

    private static Generated Expected => Generated.By("--prompt", Question, "--chat", "--max-new-tokens", "10");

    [Fact]
    public void TheSdkListsTheModel()
    {
        var models = Client.GetOpenAIModelClient().GetModels().Value;
        Assert.Equal(DemoServer.Model, Assert.Single(models).Id);
    }

    [Fact]
    public void TheSdksChatCompletionIsGenerateChatsOutput()
    {
        var result = Client.GetChatClient(DemoServer.Model).CompleteChat([new UserChatMessage(Question)], Options);
        var completion = result.Value;
        Assert.Equal(Expected.Text, Assert.Single(completion.Content).Text);
        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal(Expected.NewIds.Length, completion.Usage.OutputTokenCount);
        using var raw = JsonDocument.Parse(result.GetRawResponse().Content);
        Assert.Equal(Expected.NewIds, ServedAnswer.Ids(raw.RootElement.GetProperty("amphista"), "new_ids"));
    }

    [Fact]
    public void TheSdksStreamedChatIsGenerateChatsOutput()
    {
        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        int updates = 0;
        foreach (var update in Client.GetChatClient(DemoServer.Model).CompleteChatStreaming([new UserChatMessage(Question)], Options))
        {
            updates++;
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }
        Assert.Equal(Expected.Text, text.ToString());
        Assert.Equal(ChatFinishReason.Length, finish);
        Assert.Equal(Expected.NewIds.Length, usage?.OutputTokenCount);
        Assert.Equal(Expected.NewIds.Length + 2, updates);   // a token an update, then the finish reason, then the usage
    }

    [Fact]
    public void TheSdkSeesRefusalsAsOpenAiErrors()
    {
        var tooHot = new ChatCompletionOptions { MaxOutputTokenCount = 4, Temperature = 2.5f };
        var error = Assert.Throws<ClientResultException>(() =>
            Client.GetChatClient(DemoServer.Model).CompleteChat([new UserChatMessage(Question)], tooHot));
        Assert.Equal(400, error.Status);
        Assert.Contains("temperature must be between 0 and 2", error.Message);
        var unknown = Assert.Throws<ClientResultException>(() => Client.GetChatClient("gpt-4o").CompleteChat([new UserChatMessage(Question)], Options));
        Assert.Equal(404, unknown.Status);
        Assert.Contains("model_not_found", unknown.Message);
    }
}
