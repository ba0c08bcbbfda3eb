using Amphista.Tensors;
using Amphista.Tensors.Kernels;

namespace Amphista.Model.Llama;

/// <summary>
/// The base model's working buffers for one sequence: its passes' activations and logits, grown to the
/// largest pass so far and reused.
/// </summary>
internal sealed class ForwardBuffers(IKernels kernels, LlamaConfig c, DecoderLayerWeights layer) : IDisposable
{
    private Tensor x = kernels.Allocate(0, c.HiddenSize);                      // [T, D]  residual stream
    private Tensor hidden = kernels.Allocate(0, c.HiddenSize);                 // [T, D]  final normed states
    private Tensor logits = kernels.Allocate(0, c.VocabSize);                  // [n, V]
    private Tensor rows = kernels.Allocate(0, c.HiddenSize);                   // [n, D]  some rows of a pass's states

    public LayerBuffers Layer { get; } = LayerBuffers.For(kernels, layer);

    public Tensor X => x;

    public Tensor Hidden => hidden;

    public Tensor Logits(int n) => Tensor.Ensure(ref logits, n);

    /// <summary>Rows first..first+n-1 of h, copied to a buffer of their own.</summary>
    public Tensor Rows(Tensor h, int first, int n)
    {
        kernels.Copy(h, first, Tensor.Ensure(ref rows, n), 0, n);
        return rows;
    }

    public void Use(int rows)
    {
        Tensor.Ensure(ref x, rows);
        Tensor.Ensure(ref hidden, rows);
    }

    public void Dispose()
    {
        foreach (var t in new[] { x, hidden, logits, rows }) t.Dispose();
        Layer.Dispose();
    }
}
