using Amphista.Decoding;
using Amphista.Tests.Tokenization;

namespace Amphista.Tests.Decoding;

/// <summary>The held-out prompt rule, checked against the demo model's reference prompts (made by the same rule in Python).</summary>
public class PromptPrefixTests
{
    [Theory]
    [InlineData("one two three four five six seven", "one two")]
    [InlineData("  spaced\tout   words here  ", "spaced")]
    [InlineData("a b", "a")]                                     // fewer than three words: still one
    [InlineData("single", "single")]
    public void TakesTheFirstThirdOfTheWordsJoinedBySingleSpaces(string line, string prompt) =>
        Assert.Equal(prompt, PromptPrefix.FirstThird(line));

    [Fact]
    public void BlankLinesHoldNoPrompt() =>
        Assert.Throws<ArgumentException>(() => PromptPrefix.FirstThird(" \t "));

    [Fact]
    public void ReproducesTheDemoModelsReferencePromptsFromTheirHeldOutLines()
    {
        string[] heldout = File.ReadAllLines(HeldoutPath());
        var tokenizer = DemoTokenizer.Instance;
        foreach (var reference in DemoTokenizer.References)
        {
            string line = Assert.Single(heldout, l => l.StartsWith(reference.Prompt + " ", StringComparison.Ordinal));
            Assert.Equal(reference.Prompt, PromptPrefix.FirstThird(line));
            Assert.Equal(reference.PromptIds, tokenizer.Encode(PromptPrefix.FirstThird(line)));
        }
    }

    /// <summary>data/kjv-brown/heldout.txt of the repository the tests were built from.</summary>
    internal static string HeldoutPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string path = Path.Combine(dir.FullName, "data", "kjv-brown", "heldout.txt");
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"no data/kjv-brown/heldout.txt above {AppContext.BaseDirectory}");
    }
}
