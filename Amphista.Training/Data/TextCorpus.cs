using System.IO.Compression;
using System.Text;
using Amphista.Model.Llama;
using Amphista.Model.Tokenization;
using Amphista.Tensors;

namespace Amphista.Training.Data;

/// <summary>
/// A text corpus, one document per line (blank lines skipped), plain or gzip-compressed, in an order
/// shuffled deterministically by a seed, so that a training run is reproducible and a token budget
/// smaller than the corpus still draws from all of it (kjv-brown lists the Bible before the Brown Corpus).
/// </summary>
public sealed class TextCorpus
{
    /// <summary>The documents in shuffled order.</summary>
    public IReadOnlyList<string> Documents { get; }

    private TextCorpus(string[] documents) => Documents = documents;

    /// <summary>
    /// Reads the file as UTF-8 text, through GZipStream when it starts with the gzip magic bytes
    /// (whatever its name), and shuffles the lines with System.Random(seed) (Fisher-Yates).
    /// </summary>
    public static TextCorpus Load(string path, int seed)
    {
        if (!File.Exists(path)) throw new InputException($"corpus file '{path}' not found");
        using var file = File.OpenRead(path);
        bool gzip = file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
        file.Position = 0;
        using Stream text = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(text, Encoding.UTF8);
        var lines = new List<string>();
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
            if (!string.IsNullOrWhiteSpace(line)) lines.Add(line);
        if (lines.Count == 0) throw new InputException($"corpus file '{path}' holds no documents (one per line)");
        string[] documents = [.. lines];
        new Random(seed).Shuffle(documents);
        return new TextCorpus(documents);
    }

    /// <summary>
    /// The training sequences for options.Mode: the documents encoded with BOS and packed (<see cref="Pack"/>),
    /// or self-distilled by the base model (<see cref="SelfDistillation"/>, which runs on workers threads).
    /// </summary>
    public List<TrainingSequence> Sequences(TextTokenizer tokenizer, LlamaModel model, SequenceOptions options, int workers = 1)
    {
        options.Validate(model.Config.MaxPositions);
        return options.Mode switch
        {
            TargetMode.Corpus => Pack(Documents.Select(document => tokenizer.Encode(document)), options.SequenceLength, options.MaxTokens),
            TargetMode.SelfDistillation => SelfDistillation.Sequences(this, tokenizer, model, options, workers),
            _ => throw new ArgumentOutOfRangeException(nameof(options), $"unknown target mode {options.Mode}"),
        };
    }

    /// <summary>
    /// The packing rule. Every sequence is exactly L tokens and starts at a document's BOS, so it is run
    /// from position 0 just as a prompt is at inference. Documents are appended whole while they fit;
    /// the first one that does not fit fills the rest of the sequence with its beginning and its
    /// remainder is dropped (a document longer than L is cut to L the same way); the next sequence
    /// starts with the document after it. A last sequence the documents cannot fill is dropped, and
    /// packing stops at floor(maxTokens / L) sequences, reading documents lazily up to there.
    /// </summary>
    public static List<TrainingSequence> Pack(IEnumerable<int[]> documents, int sequenceLength, long maxTokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        long limit = maxTokens / sequenceLength;
        var sequences = new List<TrainingSequence>();
        var current = new List<int>(sequenceLength);
        if (limit == 0) return sequences;
        foreach (int[] document in documents)
        {
            int take = Math.Min(document.Length, sequenceLength - current.Count);
            current.AddRange(document.AsSpan(0, take));
            if (current.Count < sequenceLength) continue;
            sequences.Add(new TrainingSequence([.. current], sequenceLength));
            current.Clear();
            if (sequences.Count == limit) break;
        }
        return sequences;
    }
}
