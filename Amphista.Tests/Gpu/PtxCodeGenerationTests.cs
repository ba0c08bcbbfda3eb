namespace Amphista.Tests.Gpu;

/// <summary>The CUDA code generation, checked without a GPU: see <see cref="PtxChecks"/>.</summary>
public class PtxCodeGenerationTests
{
    [Fact]
    public void EveryKernelCompilesWithExplicitlyRoundedArithmetic() => PtxChecks.ExplicitlyRounded();
}
