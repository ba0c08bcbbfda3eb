using Amphista.Tensors;
using Amphista.Tensors.Kernels;

namespace Amphista.Model.Llama;

/// <summary>A forward pass's activations, grown to the largest pass so far and reused.</summary>
internal sealed class ForwardBuffers(IKernels kernels, LlamaConfig c, DecoderLayerWeights layer) : IDisposable
{
    private Tensor x = kernels.Allocate(0, c.HiddenSize);                      // [T, D]  residual stream
    private Tensor hidden = kernels.Allocate(0, c.HiddenSize);                 // [T, D]  final normed states
    private Tensor logits = kernels.Allocate(0, c.VocabSize);                  // [T, V]

    public LayerScratch Layer { get; } = LayerScratch.For(kernels, layer);
    public Tensor RowInput { get; } = kernels.Allocate(1, c.HiddenSize);       // [1, D]  one row of Hidden
    public Tensor RowLogits { get; } = kernels.Allocate(1, c.VocabSize);       // [1, V]

    public Tensor X => x;

    public Tensor Hidden => hidden;

    public Tensor Logits(int rows) => Tensor.Ensure(ref logits, rows);

    public void Use(int rows)
    {
        Tensor.Ensure(ref x, rows);
        Tensor.Ensure(ref hidden, rows);
    }

    public void Dispose()
    {
        foreach (var t in new[] { x, hidden, logits, RowInput, RowLogits }) t.Dispose();
        Layer.Dispose();
    }
}
