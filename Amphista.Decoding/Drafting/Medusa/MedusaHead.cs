using Amphista.Tensors;
using Amphista.Tensors.Kernels;

namespace Amphista.Decoding.Drafting.Medusa;

/// <summary>
/// Medusa's ResBlock (Medusa-1; SPEC §3b): y = x + SiLU(W x + b), W [D, D], b [D]. Medusa builds
/// its layers as [ResBlock] * n, one module repeated, so its files repeat the same W under every
/// "{k}.{l}" key when n > 1; reading each key on its own loads both that and distinct blocks.
/// </summary>
public sealed record ResBlock(
    WeightMatrix Weight,    // [D, D]   {k}.{l}.linear.weight
    float[] Bias);          // [D]      {k}.{l}.linear.bias

/// <summary>
/// One Medusa head k: L residual blocks on the base model's last hidden state h_t [D], then an LM
/// head [V, D]. Head k proposes x_{t+2+k}; it never sees the other heads or any candidate token.
/// </summary>
public sealed record MedusaHead(
    ResBlock[] Blocks,       // L
    WeightMatrix? LmHead)    // [V, D]   {k}.{L}.weight; null when the base model's LM head is shared
{
    /// <summary>
    /// logits [1, V] = W_lm (block_L ∘ … ∘ block_1)(h_t), for h_t [1, D]. sharedLmHead is the base
    /// model's [V, D], used when this head has none of its own.
    /// </summary>
    public void Forward(IKernels kernels, Tensor h, WeightMatrix sharedLmHead, MedusaHeadBuffers buffers)
    {
        Features(kernels, h, buffers);
        kernels.MatMul(buffers.X, LmHead ?? sharedLmHead, buffers.Logits); // W_lm x
    }

    /// <summary>buffers.X [1, D] = (block_L ∘ … ∘ block_1)(h_t): the head's input to its LM head.</summary>
    public void Features(IKernels kernels, Tensor h, MedusaHeadBuffers buffers)
    {
        var (x, pre, act) = (buffers.X, buffers.Pre, buffers.Act);
        kernels.Copy(h, 0, x, 0, 1);                              // x = h_t
        foreach (var block in Blocks)
        {
            kernels.MatMul(x, block.Weight, pre);                 // W x
            kernels.AddBias(pre, block.Bias);                     // W x + b
            kernels.Silu(pre, act);                               // SiLU(W x + b)
            kernels.Add(x, act);                                  // x + SiLU(W x + b)
        }
    }
}

/// <summary>Working buffers of one head's forward pass, reused across heads and decoding steps.</summary>
public sealed class MedusaHeadBuffers(IKernels kernels, int hiddenSize, int vocabSize) : IDisposable
{
    public Tensor X { get; } = kernels.Allocate(1, hiddenSize);          // [1, D]  the residual stream
    public Tensor Pre { get; } = kernels.Allocate(1, hiddenSize);        // [1, D]  W x + b
    public Tensor Act { get; } = kernels.Allocate(1, hiddenSize);        // [1, D]  SiLU(W x + b)
    public Tensor Logits { get; } = kernels.Allocate(1, vocabSize);      // [1, V]

    public void Dispose()
    {
        foreach (var t in new[] { X, Pre, Act, Logits }) t.Dispose();
    }
}
