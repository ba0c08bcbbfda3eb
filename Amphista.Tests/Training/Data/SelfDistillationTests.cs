using Amphista.Decoding;
using Amphista.Model.Llama;
using Amphista.Tests.Support;
using Amphista.Tests.Tokenization;
using Amphista.Tensors.Kernels;
using Amphista.Training.Data;

namespace Amphista.Tests.Training.Data;

/// <summary>Self-distilled sequences are a document's prefix followed by exactly what greedy decoding says next.</summary>
public class SelfDistillationTests
{
    private static readonly string[] Lines =
    [
        "And God called the firmament Heaven. And the evening and the morning were the second day.",
        "The Fulton County Grand Jury said Friday an investigation of recent primary election produced no evidence",
        "And he said unto them,",
        "Thus the heavens and the earth were finished, and all the host of them.",
    ];

    private static TextCorpus Corpus(string[] lines)
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, lines);
            return TextCorpus.Load(path, seed: 2);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void EachSequenceIsTheFirstThirdOfADocumentThenGreedysContinuation()
    {
        var model = TestData.Demo;
        var tokenizer = DemoTokenizer.Instance;
        var corpus = Corpus(Lines);
        var options = new SequenceOptions(TargetMode.SelfDistillation, SequenceLength: 40);
        var sequences = corpus.Sequences(tokenizer, model, options);

        Assert.Equal(corpus.Documents.Count, sequences.Count);
        var greedy = new PlainDecoder(model);
        for (int i = 0; i < sequences.Count; i++)
        {
            var s = sequences[i];
            Assert.Equal(tokenizer.Encode(PromptPrefix.FirstThird(corpus.Documents[i])), s.Tokens[..s.GreedyStart]);
            Assert.InRange(s.Length, s.GreedyStart + 1, 40);
            int[] prefix = s.Tokens[..s.GreedyStart];
            var expected = greedy.Generate(new DecodeRequest(prefix, 40 - prefix.Length, model.Config.EosTokenIds)).Tokens;
            Assert.Equal(expected, s.Tokens[s.GreedyStart..]);
            Assert.True(s.Length == 40 || s.Tokens[^1] == tokenizer.EosId, "a continuation ends at EOS or at the sequence length");
        }
    }

    [Fact]
    public void ParallelWorkersGiveTheSameSequences()
    {
        var model = TestData.Demo;
        var corpus = Corpus(Lines);
        var options = new SequenceOptions(TargetMode.SelfDistillation, SequenceLength: 32);
        var one = corpus.Sequences(DemoTokenizer.Instance, model, options, workers: 1);
        var three = corpus.Sequences(DemoTokenizer.Instance, model, options, workers: 3);
        Assert.Equal(one.Select(s => s.Tokens), three.Select(s => s.Tokens));
        Assert.Equal(one.Select(s => s.GreedyStart), three.Select(s => s.GreedyStart));

        var reference = new LlamaModel(model.Config, model.Weights, new ReferenceKernels());
        Assert.Throws<ArgumentException>(() => corpus.Sequences(DemoTokenizer.Instance, reference, options, workers: 2));
    }

    [Fact]
    public void LongPrefixesAreCutToHalfTheSequenceAndTheTokenLimitHolds()
    {
        var corpus = Corpus(Lines);
        var all = corpus.Sequences(DemoTokenizer.Instance, TestData.Demo, new SequenceOptions(TargetMode.SelfDistillation, SequenceLength: 10));
        Assert.All(all, s => Assert.InRange(s.GreedyStart, 2, 5));
        Assert.Contains(all, s => s.GreedyStart == 5);                      // the Fulton line's third is longer than 5 tokens

        long limit = all[0].Length + all[1].Length;
        var limited = corpus.Sequences(DemoTokenizer.Instance, TestData.Demo,
            new SequenceOptions(TargetMode.SelfDistillation, SequenceLength: 10, MaxTokens: limit + 1));
        Assert.Equal(all.Take(2).Select(s => s.Tokens), limited.Select(s => s.Tokens));
    }
}
