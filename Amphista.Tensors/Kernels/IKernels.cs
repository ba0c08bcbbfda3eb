namespace Amphista.Tensors.Kernels;

/// <summary>
/// The operations a Llama forward pass and the drafters need. Two implementations:
/// <see cref="ReferenceKernels"/> (plain loops, the specification) and <see cref="CpuKernels"/>
/// (SIMD and threads). Every implementation must be batch-invariant: row r of a T-row call is
/// bit-identical to a 1-row call on row r, and results do not depend on the thread count.
/// Shapes: T rows (tokens), D model width, O output features, F MLP width, S cache slots,
/// H query heads, Hkv key/value heads, Dh head width.
/// </summary>
public interface IKernels
{
    /// <summary>y [T, O] = x [T, D] · W [O, D]ᵀ.</summary>
    void MatMul(Tensor x, WeightMatrix w, Tensor y);

    /// <summary>x [T, N] += delta [T, N] (the residual connection).</summary>
    void Add(Tensor x, Tensor delta);

    /// <summary>x [T, N] += bias [N] on every row.</summary>
    void AddBias(Tensor x, float[] bias);

    /// <summary>y [T, N] = SiLU(x) = x / (1 + e^-x).</summary>
    void Silu(Tensor x, Tensor y);

    /// <summary>y [T, D] = x / sqrt(mean(x²) + eps) * weight [D], per row.</summary>
    void RmsNorm(Tensor x, float[] weight, float eps, Tensor y);

    /// <summary>Rotates x [T, n·Dh] in place, row t at positions[t], every head alike.</summary>
    void Rope(Tensor x, ReadOnlySpan<int> positions, RopeTable table);

    /// <summary>y [T, F] = SiLU(gate) * up, SiLU(g) = g / (1 + e^-g).</summary>
    void SwiGlu(Tensor gate, Tensor up, Tensor y);

    /// <summary>x [T, N] = softmax of each row, in place (max subtracted first).</summary>
    void Softmax(Tensor x);

    /// <summary>
    /// y [T, H·Dh] = softmax(q kᵀ / sqrt(Dh) over the visible slots) v, for q [T, H·Dh] against
    /// keys and values k, v [≥S, Hkv·Dh]; query head h reads key/value head h / (H / Hkv).
    /// </summary>
    void Attention(Tensor q, Tensor k, Tensor v, AttentionMask mask, int headDim, Tensor y);

    /// <summary>Index of the largest value; the lowest index wins ties.</summary>
    int Argmax(ReadOnlySpan<float> x);

    /// <summary>The indices [k] of the k largest values, largest first; lower index first on ties.</summary>
    void TopK(ReadOnlySpan<float> x, Span<int> indices);
}
