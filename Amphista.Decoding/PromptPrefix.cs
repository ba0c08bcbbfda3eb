namespace Amphista.Decoding;

/// <summary>
/// The project's rule for turning a line of held-out text into a prompt: the first third of its
/// words. The drafter targets, the demo model's reference prompts, eval --heldout and
/// self-distilled training data all use it, so every one of them sees the same kind of context.
/// </summary>
public static class PromptPrefix
{
    /// <summary>
    /// The first n / 3 whitespace-separated words (integer division, at least one) joined by single
    /// spaces; the caller encodes it with BOS. Blank lines hold no prompt and are refused.
    /// </summary>
    public static string FirstThird(string line)
    {
        string[] words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) throw new ArgumentException("a blank line holds no prompt", nameof(line));
        return string.Join(' ', words, 0, Math.Max(1, words.Length / 3));
    }
}
