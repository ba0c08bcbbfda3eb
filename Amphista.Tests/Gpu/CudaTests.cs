namespace Amphista.Tests.Gpu;

/// <summary>
/// The simulator's checks on a real CUDA device, with larger shapes and more cases; and the GPU computing the
/// simulator's bits exactly (<see cref="GpuSuite.Cuda"/>, whose every check amphista-gpu-checks runs, these and the
/// T-token product, fused-step and long-cache attention checks). Skipped, visibly, where ILGPU finds no CUDA device.
/// </summary>
[Trait("Category", "Cuda")]
public class CudaTests(CudaFixture cuda) : IClassFixture<CudaFixture>
{
    private GpuSuite Suite => GpuSuite.Cuda(cuda.Kernels);

    [CudaFact]
    public void MatMul() => Suite.MatMul();

    [CudaFact]
    public void RmsNorm() => Suite.RmsNorm();

    [CudaFact]
    public void Softmax() => Suite.Softmax();

    [CudaFact]
    public void SwiGluAndSilu() => Suite.SwiGluAndSilu();

    [CudaFact]
    public void AddBiasAndRopeGiveTheReferenceBits() => Suite.AddBiasAndRopeGiveTheReferenceBits();

    [CudaFact]
    public void Attention() => Suite.Attention();

    [CudaFact]
    public void ArgmaxAndTopKResolveTiesLikeTheReference() => Suite.ArgmaxAndTopKResolveTiesLikeTheReference();

    [CudaFact]
    public void MatMulAtModelWidth() => Suite.MatMulAtModelWidth();

    [CudaFact]
    public void CudaComputesTheSimulatorsBits() => Suite.ComputesTheSimulatorsBits();
}
