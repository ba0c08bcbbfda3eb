using Amphista.Tensors;
using Amphista.Tensors.Kernels;

namespace Amphista.Model.Llama;

/// <summary>
/// The working buffers of a decoder layer pass, in the backend's memory. They are allocated for the
/// most rows a caller has needed so far (the prompt pass) and then used at each step's row count, so
/// decoding steps allocate nothing. One instance serves every layer of a stack: layers run one after
/// another.
/// </summary>
public sealed class LayerBuffers(IKernels kernels, int width, int queryWidth, int kvWidth, int mlpWidth) : IDisposable
{
    private Tensor h = kernels.Allocate(0, width);                 // [T, D]      normed input
    private Tensor q = kernels.Allocate(0, queryWidth);            // [T, H·Dh]
    private Tensor k = kernels.Allocate(0, kvWidth);               // [T, Hkv·Dh]
    private Tensor v = kernels.Allocate(0, kvWidth);               // [T, Hkv·Dh]
    private Tensor attention = kernels.Allocate(0, queryWidth);    // [T, H·Dh]
    private Tensor delta = kernels.Allocate(0, width);             // [T, D]      a block's update
    private Tensor gate = kernels.Allocate(0, mlpWidth);           // [T, F]
    private Tensor up = kernels.Allocate(0, mlpWidth);             // [T, F]

    public Tensor H => h;
    public Tensor Q => q;
    public Tensor K => k;
    public Tensor V => v;
    public Tensor Attention => attention;
    public Tensor Delta => delta;
    public Tensor Gate => gate;
    public Tensor Up => up;

    /// <summary>Buffers shaped for layers like w (every layer of a stack has the same shapes).</summary>
    public static LayerBuffers For(IKernels kernels, DecoderLayerWeights w) =>
        new(kernels, w.Wq.Cols, w.Wq.Rows, w.Wk.Rows, w.Gate.Rows);

    /// <summary>Every buffer at rows rows (grown when a pass is larger than any before).</summary>
    public LayerBuffers Use(int rows)
    {
        Tensor.Ensure(ref h, rows);
        Tensor.Ensure(ref q, rows);
        Tensor.Ensure(ref k, rows);
        Tensor.Ensure(ref v, rows);
        Tensor.Ensure(ref attention, rows);
        Tensor.Ensure(ref delta, rows);
        Tensor.Ensure(ref gate, rows);
        Tensor.Ensure(ref up, rows);
        return this;
    }

    public void Dispose()
    {
        foreach (var t in new[] { h, q, k, v, attention, delta, gate, up }) t.Dispose();
    }
}
