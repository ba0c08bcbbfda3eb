namespace Amphista.Decoding;

/// <summary>
/// What a decoder produced: the new tokens and the base-model passes it took (the prompt pass
/// included). Greedy decoding takes one pass per token; tokens / steps is the mean accepted length.
/// Accepted holds one record per speculative step (the prompt pass has none).
/// </summary>
public sealed record DecodeResult(int[] Tokens, int Steps, IReadOnlyList<AcceptedStep> Accepted)
{
    public double MeanAccepted => Steps == 0 ? 0 : (double)Tokens.Length / Steps;

    /// <summary>Per speculative step, how many drafted tokens the base model accepted.</summary>
    public IEnumerable<int> AcceptedDepths => Accepted.Select(a => a.Ranks.Length);
}

/// <summary>
/// One verification step: the candidate rank of each accepted drafted token (Ranks[d] is the rank
/// of head d's token on the accepted path) and the depth of the tree that was offered.
/// </summary>
public sealed record AcceptedStep(int[] Ranks, int TreeDepth);

/// <summary>A decoder turns a request into tokens; onToken sees each token as soon as it is final.</summary>
public interface IDecoder
{
    /// <summary>"greedy", "medusa", "amphista", ...</summary>
    string Name { get; }

    DecodeResult Generate(DecodeRequest request, Action<int>? onToken = null);
}
