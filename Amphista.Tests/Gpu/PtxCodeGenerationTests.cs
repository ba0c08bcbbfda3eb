using System.Text.RegularExpressions;
using Amphista.Tensors.Gpu;
using ILGPU.Runtime.Cuda;

namespace Amphista.Tests.Gpu;

/// <summary>
/// The CUDA code generation, checked without a GPU: every kernel compiles to PTX that calls no external
/// function and holds no float multiply, add or subtract the PTX assembler could contract into a fused
/// multiply-add (only <c>.rn</c> forms and explicit <c>fma.rn</c>), nor approximate or flush-to-zero arithmetic.
/// </summary>
public partial class PtxCodeGenerationTests
{
    [GeneratedRegex(@"\b(add|sub|mul|mad)(\.ftz|\.sat)*\.f32\b")]
    private static partial Regex Contractible();

    [GeneratedRegex(@"\.(approx|ftz)\b")]
    private static partial Regex Approximate();

    [Fact]
    public void EveryKernelCompilesWithExplicitlyRoundedArithmetic()
    {
        var listing = PtxListing.Compile(CudaArchitecture.SM_80, CudaInstructionSet.ISA_80);
        Assert.True(listing.Count >= 16, $"only {listing.Count} kernels listed");
        foreach (var (kernel, ptx) in listing)
        {
            Assert.False(ptx.Contains(".extern"), $"{kernel}: PTX declares an external function");
            var contractible = Contractible().Match(ptx);
            Assert.False(contractible.Success, $"{kernel}: PTX holds '{contractible.Value}', which ptxas may contract");
            var approximate = Approximate().Match(ptx);
            Assert.False(approximate.Success, $"{kernel}: PTX holds '{approximate.Value}' arithmetic");
        }
        Assert.All(listing.Where(entry => entry.Key.StartsWith("MatMulKernels.")),
            entry => Assert.Contains("fma.rn.f32", entry.Value));
    }
}
