using System.Net;
using Amphista.Tests.Cli;
using Amphista.Tests.Support;
using static Amphista.Tests.Server.OpenAiHttp;

namespace Amphista.Tests.Server;

/// <summary>amphista serve's flags and startup: one-line usage errors, and a checkpoint whose chat template it does not speak.</summary>
public class ServeCliTests
{
    [Theory]
    [InlineData("--host", "example.org", "--host takes an IP address")]
    [InlineData("--port", "70000", "--port must be at most 65535")]
    [InlineData("--max-queue", "-1", "--max-queue must be at least 0")]
    public void BadFlagsAreUsageErrors(string flag, string value, string message) =>
        CliRunner.Run("serve", flag, value).AssertError(2, message);

    [Fact]
    public async Task AnUnknownChatTemplateIsNamedAndRefusedWhileCompletionsStillWork()
    {
        // The demo model's files, and a ChatML template beside them.
        string model = Directory.CreateTempSubdirectory("amphista-chatml-").FullName;
        foreach (string file in Directory.GetFiles(TestData.DemoDir))
            File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(model, "tokenizer_config.json"),
            """{"chat_template": "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"}""");
        string id = Path.GetFileName(model);
        using var server = new ServerProcess("--model", model);
        using var cleanup = new DirectoryDeletion(model);

        var (status, body, _) = await Post(server.Http, "/v1/chat/completions",
            Body(new { model = id, messages = new[] { new { role = "user", content = "Hi" } } }));
        var error = AssertError(HttpStatusCode.BadRequest, status, body, "is not Vicuna v1.1");
        Assert.Equal("unsupported_chat_template", error.GetProperty("code").GetString());
        var answer = await Answer(server.Http, "/v1/completions", new { model = id, prompt = "And God said", max_tokens = 4 });
        answer.AssertEquals(Generated.By("--prompt", "And God said", "--max-new-tokens", "4"));
    }
}

/// <summary>Deletes a directory when disposed.</summary>
internal sealed class DirectoryDeletion(string path) : IDisposable
{
    public void Dispose() => Directory.Delete(path, recursive: true);
}
