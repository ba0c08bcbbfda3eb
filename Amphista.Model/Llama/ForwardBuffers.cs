using Amphista.Tensors;

namespace Amphista.Model.Llama;

/// <summary>A forward pass's activations, grown to the largest pass so far and reused.</summary>
internal sealed class ForwardBuffers(LlamaConfig c, DecoderLayerWeights layer)
{
    public Tensor X { get; private set; } = new(0, c.HiddenSize);          // [T, D]  residual stream
    public Tensor Hidden { get; private set; } = new(0, c.HiddenSize);     // [T, D]  final normed states
    public LayerScratch Layer { get; } = LayerScratch.For(layer);
    public Tensor RowInput { get; } = new(1, c.HiddenSize);                // [1, D]  one row of Hidden
    public Tensor RowLogits { get; } = new(1, c.VocabSize);                // [1, V]
    private Tensor logits = new(0, c.VocabSize);                          // [T, V]

    public Tensor Logits(int rows) => Tensor.Ensure(ref logits, rows);

    public void Use(int rows)
    {
        if (rows > X.Capacity) (X, Hidden) = (new(rows, c.HiddenSize), new(rows, c.HiddenSize));
        X.Resize(rows);
        Hidden.Resize(rows);
    }
}
