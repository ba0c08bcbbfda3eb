// The rules the CUDA code generation keeps, as a check that needs no test host: PtxCodeGenerationTests runs it,
// and so does amphista-gpu-checks, where it is the one exercise of ILGPU's compiler off a GPU (the CPU
// simulator runs the kernels' own IL), so a trimmed, self-contained build is checked here before it travels.
using System.Text.RegularExpressions;
using Amphista.Tensors.Gpu;
using Amphista.Tests.Support;
using ILGPU.Runtime.Cuda;

namespace Amphista.Tests.Gpu;

/// <summary>
/// Every kernel compiles to PTX that calls no external function and holds no float multiply, add or subtract
/// the PTX assembler could contract into a fused multiply-add (only <c>.rn</c> forms and explicit
/// <c>fma.rn</c>), nor approximate or flush-to-zero arithmetic.
/// </summary>
public static partial class PtxChecks
{
    [GeneratedRegex(@"\b(add|sub|mul|mad)(\.ftz|\.sat)*\.f32\b")]
    private static partial Regex Contractible();

    [GeneratedRegex(@"\.(approx|ftz)\b")]
    private static partial Regex Approximate();

    /// <summary>The check, on PTX for sm_80 (PTX ISA 8.0).</summary>
    public static void ExplicitlyRounded()
    {
        var listing = PtxListing.Compile(CudaArchitecture.SM_80, CudaInstructionSet.ISA_80);
        Assertions.That(listing.Count >= 16, $"only {listing.Count} kernels listed");
        foreach (var (kernel, ptx) in listing)
        {
            Assertions.That(!ptx.Contains(".extern"), $"{kernel}: PTX declares an external function");
            var contractible = Contractible().Match(ptx);
            Assertions.That(!contractible.Success, $"{kernel}: PTX holds '{contractible.Value}', which ptxas may contract");
            var approximate = Approximate().Match(ptx);
            Assertions.That(!approximate.Success, $"{kernel}: PTX holds '{approximate.Value}' arithmetic");
            if (kernel.StartsWith("MatMulKernels."))
                Assertions.That(ptx.Contains("fma.rn.f32"), $"{kernel}: PTX holds no fma.rn.f32");
        }
    }
}
