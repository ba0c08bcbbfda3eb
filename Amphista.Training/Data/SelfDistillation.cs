using Amphista.Decoding;
using Amphista.Model.Llama;
using Amphista.Model.Tokenization;
using Amphista.Tensors.Kernels;

namespace Amphista.Training.Data;

/// <summary>
/// Self-distilled sequences: what the base model itself says after a corpus prefix, so the drafter
/// learns to guess the tokens verification will accept rather than the corpus's. One document gives
/// one sequence: BOS + the document's first third of words (<see cref="PromptPrefix"/>, the rule the
/// held-out prompts follow, cut to L / 2 tokens so at least half the sequence is the model's), then
/// PlainDecoder's continuation until EOS (kept: greedy emits it) or L tokens in all. Sequences are
/// not packed: each is run from position 0 alone, exactly the context the drafter meets at inference.
/// The prefix is prefilled in one pass by PlainDecoder; the cost is the continuation, one base-model
/// pass per token (on the demo model the continuation ends at EOS after about 30 tokens).
/// </summary>
public static class SelfDistillation
{
    /// <summary>
    /// Sequences in document order until the next one would take the total past options.MaxTokens or
    /// the documents run out. workers &gt; 1 decodes that many documents at once, each on a one-thread
    /// copy of a CpuKernels model (single-token passes are too small to split across threads well);
    /// CpuKernels give the same bits on any thread count, so the tokens do not depend on workers.
    /// </summary>
    internal static List<TrainingSequence> Sequences(TextCorpus corpus, TextTokenizer tokenizer, LlamaModel model,
        SequenceOptions options, int workers = 1)
    {
        options.Validate(model.Config.MaxPositions);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        var decoders = Decoders(model, workers);
        var sequences = new List<TrainingSequence>();
        long total = 0;
        int batch = 4 * workers;
        for (int first = 0; first < corpus.Documents.Count; first += batch)
        {
            var chunk = new TrainingSequence[Math.Min(batch, corpus.Documents.Count - first)];
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
            {
                for (int i = w; i < chunk.Length; i += workers)
                    chunk[i] = Continue(decoders[w], tokenizer, corpus.Documents[first + i], options.SequenceLength, model.Config.EosTokenIds);
            });
            foreach (var sequence in chunk)
            {
                if (total + sequence.Length > options.MaxTokens) return sequences;
                sequences.Add(sequence);
                total += sequence.Length;
            }
        }
        return sequences;
    }

    /// <summary>One document's sequence: its prefix [GreedyStart] and the greedy continuation of that prefix.</summary>
    private static TrainingSequence Continue(IDecoder greedy, TextTokenizer tokenizer, string document, int sequenceLength, int[] stopTokens)
    {
        int[] prefix = tokenizer.Encode(PromptPrefix.FirstThird(document));
        if (prefix.Length > sequenceLength / 2) prefix = prefix[..(sequenceLength / 2)];
        var continuation = greedy.Generate(new DecodeRequest(prefix, sequenceLength - prefix.Length, stopTokens)).Tokens;
        return new TrainingSequence([.. prefix, .. continuation], prefix.Length);
    }

    private static PlainDecoder[] Decoders(LlamaModel model, int workers)
    {
        if (workers == 1) return [new PlainDecoder(model)];
        if (model.Kernels is not CpuKernels)
            throw new ArgumentException($"parallel self-distillation copies the model onto CpuKernels; this model runs on {model.Kernels.GetType().Name}");
        return [.. Enumerable.Range(0, workers).Select(_ => new PlainDecoder(new LlamaModel(model.Config, model.Weights, new CpuKernels(1))))];
    }
}
