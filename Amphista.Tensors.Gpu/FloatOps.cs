// Explicitly rounded float arithmetic for kernels: IFloatOps, its CUDA and CPU forms.
// Scalars only; no shapes.
using ILGPU.Runtime.Cuda;

namespace Amphista.Tensors.Gpu;

/// <summary>
/// Every float multiply, add, subtract and multiply-add in a kernel goes through these, never through the
/// C# operators. ILGPU writes <c>a * b + c</c> as <c>mul.f32</c> and <c>add.f32</c> without a rounding
/// suffix, which the PTX assembler may contract into one fused multiply-add wherever it sees fit, so two
/// kernels computing the same element (the 1-row and the T-row product) could round differently. Both forms
/// below round every operation once to nearest even: a kernel gives the same bits on ILGPU's CPU accelerator
/// and on a GPU, and the order written in the kernel is the order executed.
/// </summary>
internal interface IFloatOps
{
    /// <summary>a · b + c with one rounding.</summary>
    float Fma(float a, float b, float c);

    float Mul(float a, float b);

    float Add(float a, float b);

    float Sub(float a, float b);
}

/// <summary>PTX <c>.rn</c> instructions, which the PTX assembler never contracts or reorders.</summary>
internal readonly struct CudaFloatOps : IFloatOps
{
    public float Fma(float a, float b, float c)
    {
        CudaAsm.Emit("fma.rn.f32 %0, %1, %2, %3;", out float r, a, b, c);
        return r;
    }

    public float Mul(float a, float b)
    {
        CudaAsm.Emit("mul.rn.f32 %0, %1, %2;", out float r, a, b);
        return r;
    }

    public float Add(float a, float b)
    {
        CudaAsm.Emit("add.rn.f32 %0, %1, %2;", out float r, a, b);
        return r;
    }

    public float Sub(float a, float b)
    {
        CudaAsm.Emit("sub.rn.f32 %0, %1, %2;", out float r, a, b);
        return r;
    }
}

/// <summary>
/// .NET's float arithmetic (IEEE single, never contracted by the JIT) for ILGPU's CPU accelerator, which runs
/// kernels as ordinary .NET code. Kept out of CUDA kernels: ILGPU's PTX backend has no implementation of
/// <see cref="MathF.FusedMultiplyAdd"/>.
/// </summary>
internal readonly struct CpuFloatOps : IFloatOps
{
    public float Fma(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);

    public float Mul(float a, float b) => a * b;

    public float Add(float a, float b) => a + b;

    public float Sub(float a, float b) => a - b;
}
