using Amphista.Decoding.Drafting;
using Amphista.Tests.Support;

namespace Amphista.Tests.Cli;

/// <summary>
/// amphista draft-vocab as a process: it stores the most frequent tokens of a corpus with a drafter, the
/// drafter then decodes exactly as greedy decoding does, and a size the vocabulary cannot hold is one line.
/// </summary>
public class DraftVocabCliTests
{
    [Fact]
    public void TheMostFrequentTokensOfACorpusBecomeTheDraftersVocabulary()
    {
        string dir = Directory.CreateTempSubdirectory("amphista-draft-vocab-").FullName;
        try
        {
            TestData.CopyShippedDrafter("medusa", dir);
            File.Delete(Path.Combine(dir, DraftVocabulary.FileName));
            string corpus = Path.Combine(dir, "corpus.txt");
            File.WriteAllLines(corpus, ["And God said, Let there be light: and there was light.", "And the evening and the morning were the first day."]);

            var run = CliRunner.Run("draft-vocab", "--data", corpus, "--size", "8", "--drafter", dir);
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.Contains("the 8 most frequent of 4096 tokens", run.Stdout);
            var vocabulary = DraftVocabulary.Load(dir, 4096)!;
            Assert.Equal(8, vocabulary.Size);
            // Ranked by count in the corpus: no token left out occurs more often than the last one kept.
            var tokenizer = Amphista.Model.Tokenization.TextTokenizer.Load(TestData.DemoDir);
            var counts = File.ReadAllLines(corpus).SelectMany(l => tokenizer.Encode(l, addBos: false))
                .GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
            int[] kept = [.. vocabulary.Ids.Select(id => counts.GetValueOrDefault(id))];
            Assert.Equal(kept.OrderDescending(), kept);
            Assert.All(counts.Where(c => !vocabulary.Ids.Contains(c.Key)), c => Assert.True(c.Value <= kept[^1], $"token {c.Key} left out"));

            var verify = CliRunner.Run("verify", "--drafter", dir, "--tree", "[[0],[1],[0,0]]", "--random-prompts", "3", "--max-new-tokens", "16");
            Assert.True(verify.ExitCode == 0, verify.Stdout + verify.Stderr);

            CliRunner.Run("draft-vocab", "--data", corpus, "--size", "5000", "--drafter", dir)
                .AssertError(1, "draft vocabulary size 5000 must lie in [1, 4096]");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
