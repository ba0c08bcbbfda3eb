using Amphista.Decoding.Sampling;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Decoding;

/// <summary>
/// What to generate: a prompt, a budget of new tokens, the tokens that end generation (the stop
/// token is emitted, then generation ends, as Hugging Face's generate does), and how each token is
/// chosen (greedily unless Sampling says otherwise).
/// </summary>
public sealed record DecodeRequest(int[] Prompt, int MaxNewTokens, int[] StopTokens)
{
    public SamplingSettings Sampling { get; init; } = SamplingSettings.Greedy;

    /// <summary>
    /// Rejects requests the model cannot serve before any work is done. Generating m tokens after a
    /// prompt of n feeds n + m - 1 tokens through the model (the last one is never fed back), so
    /// that many positions must fit in the context.
    /// </summary>
    public void Validate(LlamaModel model)
    {
        Sampling.Validate();
        int n = Prompt.Length, context = model.Config.MaxPositions;
        if (n == 0) throw new InputException("the prompt is empty: give at least one token (usually BOS)");
        if (MaxNewTokens < 0) throw new InputException($"max new tokens must be >= 0, got {MaxNewTokens}");
        foreach (int id in Prompt)
            if ((uint)id >= (uint)model.Config.VocabSize)
                throw new InputException($"prompt token id {id} is outside the vocabulary [0, {model.Config.VocabSize})");
        if (n > context)
            throw new InputException($"the prompt has {n} tokens but the model's context holds {context}");
        if (n + MaxNewTokens - 1 > context)
            throw new InputException(
                $"a prompt of {n} tokens plus {MaxNewTokens} new tokens exceeds the model's context of {context} positions; " +
                $"ask for at most {context - n + 1} new tokens");
    }

    public bool IsStop(int token) => Array.IndexOf(StopTokens, token) >= 0;
}
