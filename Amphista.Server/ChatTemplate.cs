// Which chat format /v1/chat/completions speaks for the served model: Vicuna v1.1 (what generate --chat uses), the
// demo model's and any checkpoint's without a chat_template, or a chat_template in tokenizer_config.json that is
// Vicuna's; any other template is named as unsupported, and chat requests are refused with that line.
using System.Text.Json;
using Amphista.Tensors;

namespace Amphista.Server;

public sealed class ChatTemplate
{
    public const string ConfigFile = "tokenizer_config.json";

    private ChatTemplate(string name, string? unsupported)
    {
        Name = name;
        Unsupported = unsupported;
    }

    /// <summary>"vicuna_v1.1", or what the checkpoint declares when it is not supported.</summary>
    public string Name { get; }

    /// <summary>Why chat is refused for this model, or null when it is served.</summary>
    public string? Unsupported { get; }

    public static readonly ChatTemplate Vicuna = new("vicuna_v1.1", null);

    /// <summary>Reads tokenizer_config.json's chat_template (a string, or a list of named templates: "default").</summary>
    public static ChatTemplate Resolve(string modelDirectory)
    {
        string path = Path.Combine(modelDirectory, ConfigFile);
        if (!File.Exists(path)) return Vicuna;
        using var config = Parse(path);
        if (!config.RootElement.TryGetProperty("chat_template", out var template)) return Vicuna;
        string? text = template.ValueKind switch
        {
            JsonValueKind.String => template.GetString(),
            JsonValueKind.Array => template.EnumerateArray()
                .Where(t => t.TryGetProperty("name", out var name) && name.GetString() == "default")
                .Select(t => t.GetProperty("template").GetString()).FirstOrDefault(),
            _ => null,
        };
        if (text is not null && text.Contains("USER:") && text.Contains("ASSISTANT:")) return Vicuna;
        return new ChatTemplate("custom", $"the model's chat template ({ConfigFile} chat_template) is not Vicuna v1.1, the one " +
            "chat format this server speaks; send a formatted prompt to /v1/completions instead");
    }

    private static JsonDocument Parse(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InputException($"{path} is not valid JSON: {e.Message}");
        }
    }
}
