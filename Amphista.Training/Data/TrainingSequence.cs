namespace Amphista.Training.Data;

/// <summary>What a drafter learns to predict from the base model's hidden states.</summary>
public enum TargetMode
{
    /// <summary>The corpus text as written, packed into sequences (<see cref="TextCorpus.Pack"/>).</summary>
    Corpus,

    /// <summary>
    /// A corpus prefix continued by the base model's own greedy decoding (<see cref="SelfDistillation"/>):
    /// what the base model will actually say at inference, which is what a drafter must guess.
    /// </summary>
    SelfDistillation,
}

/// <summary>
/// One training sequence: tokens [T], BOS first, run from position 0. Tokens[GreedyStart..] are the
/// base model's greedy continuation of Tokens[..GreedyStart]; GreedyStart = T for corpus text.
/// </summary>
public sealed record TrainingSequence(int[] Tokens, int GreedyStart)
{
    public int Length => Tokens.Length;
}

/// <summary>
/// How sequences are made. SequenceLength L: corpus sequences are exactly L tokens, self-distilled
/// ones at most L. Seed: the document order. MaxTokens: the sequences hold at most this many tokens
/// in all (the corpus is read only as far as that needs).
/// </summary>
public sealed record SequenceOptions(TargetMode Mode, int SequenceLength, int Seed = 0, long MaxTokens = long.MaxValue)
{
    public void Validate(int contextLength)
    {
        if (SequenceLength < 2 || SequenceLength > contextLength)
            throw new ArgumentOutOfRangeException(nameof(SequenceLength),
                $"sequence length {SequenceLength} must be in [2, {contextLength}] (the base model's context)");
        if (MaxTokens < 1) throw new ArgumentOutOfRangeException(nameof(MaxTokens), $"max tokens must be positive, got {MaxTokens}");
    }
}
