using Amphista.Tensors;
using Amphista.Tensors.Kernels;

namespace Amphista.Training.Core;

/// <summary>
/// What one training sequence's forward and backward run on, on one thread. Every forward step is an
/// inference kernel (<see cref="Forward"/>, the same <see cref="CpuKernels"/> the decoder runs), so a
/// trained drafter's training forward and its inference forward are one math. Backward keeps its own
/// loops, built from the same vector primitives at the same width (<see cref="ReductionOrder"/> for
/// every sum) and <see cref="OuterGemm"/>'s products. A batch runs its sequences on several of these
/// at once, one per batch slot: backward adds into the slot's own gradients
/// (<see cref="Parameter.SlotGrad"/>), which the trainer then sums in slot order, so the threads that
/// ran them never change a bit. <see cref="Direct"/> adds straight into <see cref="Parameter.Grad"/>.
/// </summary>
public sealed class SequenceKernels
{
    /// <summary>The slot of kernels whose backward adds into <see cref="Parameter.Grad"/> itself.</summary>
    public const int Direct = -1;

    private readonly VectorKernels vector;

    public SequenceKernels(VectorWidth? width = null, int slot = Direct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slot, Direct);
        Forward = new CpuKernels(1, width);
        vector = VectorKernels.For(Forward.Width);
        Slot = slot;
    }

    /// <summary>The inference kernels on one thread, at <see cref="Width"/>.</summary>
    public CpuKernels Forward { get; }

    public VectorWidth Width => Forward.Width;

    /// <summary>The batch slot whose gradients backward fills, or <see cref="Direct"/>.</summary>
    public int Slot { get; }

    /// <summary>The gradient [R, C] this sequence's backward adds into for p.</summary>
    public Tensor Grad(Parameter p) => Slot == Direct ? p.Grad : p.SlotGrad(Slot);

    /// <summary>Σ a[i]·b[i] in <see cref="ReductionOrder"/>.</summary>
    public float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        a.Length == b.Length ? vector.Dot(a, b) : throw new ArgumentException($"dot of lengths {a.Length} and {b.Length}");

    /// <summary>Σ a[i] in <see cref="ReductionOrder"/>.</summary>
    public float Sum(ReadOnlySpan<float> a) => vector.Sum(a);

    /// <summary>x[i] = e^(x[i] − shift) by <see cref="FixedExp"/>, in place.</summary>
    public void ExpShifted(Span<float> x, float shift) => vector.ExpShifted(x, shift);

    /// <summary>acc[i] = fma(p, v[i], acc[i]): elementwise, so each element's order is the caller's loop order.</summary>
    public void MultiplyAdd(Span<float> acc, float p, ReadOnlySpan<float> v)
    {
        if (acc.Length != v.Length) throw new ArgumentException($"multiply-add of lengths {acc.Length} and {v.Length}");
        vector.MultiplyAdd(acc, p, v);
    }

    /// <summary>C [M, N] += A [M, K] · B [K, N] (<see cref="OuterGemm"/>).</summary>
    public void MultiplyAccumulate(float[] a, float[] b, float[] c, int m, int n, int k) => OuterGemm.Multiply(Width, a, b, c, m, n, k);

    /// <summary>C [M, N] += A [K, M]ᵀ · B [K, N] (<see cref="OuterGemm"/>).</summary>
    public void MultiplyAccumulateTransposedA(float[] a, float[] b, float[] c, int m, int n, int k) =>
        OuterGemm.MultiplyTransposedA(Width, a, b, c, m, n, k);
}
