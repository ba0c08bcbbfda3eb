using System.IO.Compression;
using Amphista.Tensors;
using Amphista.Tests.Support;
using Amphista.Tests.Tokenization;
using Amphista.Training.Data;

namespace Amphista.Tests.Training.Data;

/// <summary>Reading (plain and gzip), the seeded shuffle and the packing rule of TextCorpus.</summary>
public class TextCorpusTests
{
    private static readonly string[] Lines =
    [
        "In the beginning God created the heaven and the earth.", "", "And the earth was without form, and void;",
        "   ", "The Fulton County Grand Jury said Friday an investigation", "And God said, Let there be light: and there was light.",
        "It recommended that Fulton legislators act", "And God saw the light, that it was good",
    ];

    [Fact]
    public void PackingFillsEachSequenceFromADocumentStartAndDropsWhatDoesNotFit()
    {
        int[][] documents = [[1, 10, 11], [1, 12], [1, 20, 21, 22, 23, 24, 25], [1, 30], [1, 40, 41], [1, 50]];
        var sequences = TextCorpus.Pack(documents, sequenceLength: 5, maxTokens: long.MaxValue);
        Assert.Equal(
            [[1, 10, 11, 1, 12], [1, 20, 21, 22, 23], [1, 30, 1, 40, 41]],   // exact fit; a long document cut; [1, 50] cannot fill a third
            sequences.Select(s => s.Tokens));
        Assert.All(sequences, s => Assert.Equal(5, s.GreedyStart));          // corpus text throughout

        // A document that does not fit lends its beginning and loses the rest; the next starts a sequence.
        var cut = TextCorpus.Pack([[1, 10, 11], [1, 12, 13, 14], [1, 15, 16, 17, 18]], 5, long.MaxValue);
        Assert.Equal([[1, 10, 11, 1, 12], [1, 15, 16, 17, 18]], cut.Select(s => s.Tokens));
    }

    [Fact]
    public void PackingStopsAtTheTokenLimitReadingNoFurtherDocuments()
    {
        int read = 0;
        IEnumerable<int[]> Documents()
        {
            for (int d = 0; ; d++)
            {
                read++;
                yield return [1, 100 + d, 200 + d];
            }
        }
        var sequences = TextCorpus.Pack(Documents(), sequenceLength: 6, maxTokens: 17);
        Assert.Equal(2, sequences.Count);                                   // floor(17 / 6)
        Assert.Equal(4, read);
        Assert.Empty(TextCorpus.Pack(Documents(), 6, maxTokens: 5));
    }

    [Fact]
    public void PlainAndGzipFilesHoldTheSameDocumentsWhateverTheirNames()
    {
        string plain = Path.GetTempFileName(), gzip = Path.GetTempFileName();   // both named .tmp
        try
        {
            File.WriteAllLines(plain, Lines);
            using (var file = File.Create(gzip))
            using (var zip = new GZipStream(file, CompressionLevel.Optimal))
            using (var writer = new StreamWriter(zip))
                foreach (string line in Lines) writer.WriteLine(line);

            var fromPlain = TextCorpus.Load(plain, seed: 3).Documents;
            Assert.Equal(fromPlain, TextCorpus.Load(gzip, seed: 3).Documents);
            Assert.Equal(Lines.Where(l => !string.IsNullOrWhiteSpace(l)).Order(), fromPlain.Order());   // blank lines skipped
        }
        finally
        {
            File.Delete(plain);
            File.Delete(gzip);
        }
    }

    [Fact]
    public void TheShuffleIsFixedBySeed()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, Enumerable.Range(0, 50).Select(i => $"line {i}"));
            var a = TextCorpus.Load(path, seed: 7).Documents;
            Assert.Equal(a, TextCorpus.Load(path, seed: 7).Documents);
            Assert.NotEqual(a, TextCorpus.Load(path, seed: 8).Documents);
            Assert.NotEqual(a, File.ReadAllLines(path));
            Assert.Equal(File.ReadAllLines(path).Order(), a.Order());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CorpusSequencesAreTheEncodedDocumentsPacked()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, Lines);
            var corpus = TextCorpus.Load(path, seed: 1);
            var tokenizer = DemoTokenizer.Instance;
            var sequences = corpus.Sequences(tokenizer, TestData.Demo, new SequenceOptions(TargetMode.Corpus, SequenceLength: 16));
            var expected = TextCorpus.Pack(corpus.Documents.Select(d => tokenizer.Encode(d)), 16, long.MaxValue);
            Assert.NotEmpty(sequences);
            Assert.Equal(expected.Select(s => s.Tokens), sequences.Select(s => s.Tokens));
            Assert.All(sequences, s => Assert.Equal(tokenizer.BosId, s.Tokens[0]));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void BadFilesAndOptionsAreRefused()
    {
        Assert.Throws<InputException>(() => TextCorpus.Load("/nonexistent/corpus.txt", 0));
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, ["", "  "]);
            Assert.Contains("holds no documents", Assert.Throws<InputException>(() => TextCorpus.Load(path, 0)).Message);
            File.WriteAllLines(path, Lines);
            var corpus = TextCorpus.Load(path, 0);
            Assert.Throws<ArgumentOutOfRangeException>(() =>
                corpus.Sequences(DemoTokenizer.Instance, TestData.Demo, new SequenceOptions(TargetMode.Corpus, SequenceLength: 2048)));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
