using Amphista.Model;

namespace Amphista.Decoding;

/// <summary>Seeded prompts for timing models that have no text to read: BOS, then random token ids.</summary>
public static class RandomPrompts
{
    /// <summary>count prompts of length tokens (BOS included), the same for the same seed.</summary>
    public static List<int[]> Make(LlamaConfig config, int count, int length, int seed = 0)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ =>
            (int[])[config.BosTokenId, .. Enumerable.Range(1, length - 1).Select(_ => rng.Next(config.VocabSize))])];
    }
}
