namespace Amphista.Decoding;

/// <summary>
/// What a decoder produced: the new tokens and the base-model passes it took (the prompt pass
/// included). Greedy decoding takes one pass per token; tokens / steps is the mean accepted length.
/// AcceptedDepths holds, per speculative step, how many drafted tokens the base model accepted.
/// </summary>
public sealed record DecodeResult(int[] Tokens, int Steps, IReadOnlyList<int> AcceptedDepths)
{
    public double MeanAccepted => Steps == 0 ? 0 : (double)Tokens.Length / Steps;
}

/// <summary>A decoder turns a request into tokens; onToken sees each token as soon as it is final.</summary>
public interface IDecoder
{
    /// <summary>"greedy", "medusa", "amphista", ...</summary>
    string Name { get; }

    DecodeResult Generate(DecodeRequest request, Action<int>? onToken = null);
}
