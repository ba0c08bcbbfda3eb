using Amphista.Decoding.Sampling;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Decoding;

/// <summary>
/// The oracle. Plain decoding, one token per base-model pass: feed the prompt, then repeatedly
/// choose the next token from the last position's logits and feed it back. The choice is the argmax
/// (greedy decoding, lowest id on ties) or, when the request samples, the lossless sampler's
/// (<see cref="Sampler"/>). Every speculative decoder in this project must produce exactly these
/// tokens; keep this code obvious. (The one-element arrays and the mask are refilled each step so
/// that the loop allocates nothing.)
/// </summary>
public sealed class PlainDecoder(LlamaModel model) : IDecoder
{
    public string Name => "plain";

    public DecodeResult Generate(DecodeRequest request, Action<int>? onToken = null)
    {
        request.Validate(model);
        if (request.MaxNewTokens == 0) return new DecodeResult([], 0, []);
        var generated = new List<int>(request.MaxNewTokens);
        using var sequence = model.CreateSequenceState();
        var mask = new AttentionMask(1, sequence.Cache.Capacity);   // room for any step's row
        var sampler = new Sampler(request.Sampling);
        int n = request.Prompt.Length;
        var hidden = model.Forward(sequence, request.Prompt, Enumerable.Range(0, n).ToArray(), 0, mask.SetCausal(0, n));
        int[] token = new int[1], position = [n];   // the token fed each step, and its position (= cache slot)
        while (true)
        {
            int next = sampler.Next(model.Kernels, model.Logits(sequence, hidden, ^1..), 0, position[0]);
            generated.Add(next);
            onToken?.Invoke(next);
            if (request.IsStop(next) || generated.Count == request.MaxNewTokens)
                return new DecodeResult([.. generated], generated.Count, []);
            token[0] = next;
            hidden = model.Forward(sequence, token, position, position[0], mask.SetCausal(position[0], 1));
            position[0]++;
        }
    }
}
