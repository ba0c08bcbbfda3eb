using System.Globalization;
using Amphista.Decoding.Drafting;
using Amphista.Tensors;
using Amphista.Training.Data;

namespace Amphista.Cli;

/// <summary>
/// amphista draft-vocab [--model DIR] --data FILE --size N --drafter DIR
/// Counts every token of a corpus (one document per line, plain or gzip) with the model's tokenizer and
/// stores the N most frequent as the drafter's draft vocabulary (<see cref="DraftVocabulary"/>): its heads
/// then score only those N tokens. The drafter's weights are untouched; deleting the file restores the
/// full vocabulary.
/// </summary>
public static class DraftVocabCommand
{
    public static int Run(string[] argv)
    {
        var args = new CliArguments("draft-vocab", argv,
            new HashSet<string>([.. ModelOptions.Options, "--data", "--size", "--drafter"]),
            new HashSet<string>(["--verbose"]));
        string data = args.Require("--data"), drafter = args.Require("--drafter");
        int size = args.Int("--size", 0, min: 1);
        if (!Directory.Exists(drafter)) throw new InputException($"draft-vocab: drafter directory '{drafter}' not found");
        var tokenizer = ModelOptions.LoadTokenizer(args);
        var model = ModelOptions.LoadModel(args);
        // The drafter must fit this model before its vocabulary is chosen with the model's tokenizer.
        DrafterSpec.Create(drafter, model.Config, heads: 1)!.Begin(model).Dispose();
        var config = model.Config;
        var counts = new long[config.VocabSize];
        foreach (string document in TextCorpus.Load(data, seed: 0).Documents)
            foreach (int id in tokenizer.Encode(document, addBos: false))
                counts[id]++;
        var vocabulary = DraftVocabulary.MostFrequent(counts, size);
        vocabulary.Save(drafter);
        double covered = vocabulary.Ids.Sum(id => counts[id]) / (double)Math.Max(1, counts.Sum());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {Path.Combine(drafter, DraftVocabulary.FileName)}: the {size} most frequent of {config.VocabSize} tokens, " +
            $"{100 * covered:F2}% of the {counts.Sum()} tokens in {data}"));
        return 0;
    }
}
