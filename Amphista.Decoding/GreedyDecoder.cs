using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Decoding;

/// <summary>
/// The oracle. Plain greedy decoding, one token per base-model pass: feed the prompt, then repeatedly
/// take the argmax of the last position's logits (lowest id on ties) and feed it back. Every
/// speculative decoder in this project must produce exactly these tokens; keep this code obvious.
/// </summary>
public sealed class GreedyDecoder(LlamaModel model) : IDecoder
{
    public string Name => "greedy";

    public DecodeResult Generate(DecodeRequest request, Action<int>? onToken = null)
    {
        request.Validate(model);
        var generated = new List<int>();
        if (request.MaxNewTokens == 0) return new DecodeResult([], 0, []);
        var cache = model.CreateCache();
        int[] input = request.Prompt;            // tokens fed this pass
        int position = 0;                        // position (= cache slot) of input[0]
        while (true)
        {
            int[] positions = Enumerable.Range(position, input.Length).ToArray();
            var hidden = model.Forward(cache, input, positions, position, AttentionMask.Causal(position, input.Length));
            var logits = model.Logits(hidden, hidden.Rows - 1);
            int next = model.Kernels.Argmax(logits.Row(0));
            generated.Add(next);
            onToken?.Invoke(next);
            if (request.IsStop(next) || generated.Count == request.MaxNewTokens)
                return new DecodeResult([.. generated], generated.Count, []);
            position += input.Length;
            input = [next];
        }
    }
}
