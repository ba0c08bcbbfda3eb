// Shared access to the embedded demo model's tokenizer and its greedy reference continuations.
using System.Text.Json;
using Amphista.Model.Checkpoints;
using Amphista.Model.Tokenization;

namespace Amphista.Tests.Tokenization;

internal static class DemoTokenizer
{
    public static readonly string ModelDirectory = Path.Combine(AppContext.BaseDirectory, "models", "kjv-brown-14m");

    private static readonly Lazy<TextTokenizer> Shared = new(() => TextTokenizer.Load(ModelDirectory));

    public static TextTokenizer Instance => Shared.Value;

    /// <summary>One reference_greedy entry: the prompt, the JSON's continuation text, and the ids split at the prompt.</summary>
    public sealed record Reference(string Prompt, string Continuation, int[] PromptIds, int[] NewIds);

    public static IReadOnlyList<Reference> References => ReferencesShared.Value;

    private static readonly Lazy<IReadOnlyList<Reference>> ReferencesShared = new(LoadReferences);

    private static IReadOnlyList<Reference> LoadReferences()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(ModelDirectory, "reference_greedy.json")));
        using var ids = Checkpoint.OpenFile(Path.Combine(ModelDirectory, "reference_greedy.safetensors"));
        var result = new List<Reference>();
        int k = 0;
        foreach (JsonElement entry in json.RootElement.EnumerateArray())
        {
            int[] tokens = [.. ids.ReadI64($"p{k}_tokens").Select(t => checked((int)t))];
            int promptLength = checked((int)ids.ReadI64($"p{k}_prompt_len").Single());
            result.Add(new Reference(
                entry.GetProperty("prompt").GetString()!,
                entry.GetProperty("continuation").GetString()!,
                tokens[..promptLength],
                tokens[promptLength..]));
            k++;
        }
        return result;
    }
}
