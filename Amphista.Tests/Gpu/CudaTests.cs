using Amphista.Tensors;
using Amphista.Tensors.Gpu;
using Amphista.Tests.Support;

namespace Amphista.Tests.Gpu;

/// <summary>
/// The simulator's checks on a real CUDA device, with larger shapes and more cases; and the GPU computing the
/// simulator's bits exactly (both round every operation once, in the same order). Skipped, visibly, where
/// ILGPU finds no CUDA device.
/// </summary>
[Trait("Category", "Cuda")]
public class CudaTests(CudaFixture cuda) : IClassFixture<CudaFixture>
{
    private const int Cases = 60;

    private GpuKernels G => cuda.Kernels;

    [CudaFact]
    public void MatMul() => Properties.Check(GpuSizes.Cuda.MatMul, c => GpuChecks.MatMul(G, c), Cases);

    [CudaFact]
    public void RmsNorm() => Properties.Check(GpuSizes.Cuda.Rows, c => GpuChecks.RmsNorm(G, c), Cases);

    [CudaFact]
    public void Softmax() => Properties.Check(GpuSizes.Cuda.Rows, c => GpuChecks.Softmax(G, c), Cases);

    [CudaFact]
    public void SwiGluAndSilu() => Properties.Check(GpuSizes.Cuda.Rows, c => GpuChecks.SwiGluAndSilu(G, c), Cases);

    [CudaFact]
    public void AddBiasAndRopeGiveTheReferenceBits() =>
        Properties.Check(GpuSizes.Cuda.Attention, c => GpuChecks.ExactElementwise(G, c), Cases);

    [CudaFact]
    public void Attention() => Properties.Check(GpuSizes.Cuda.Attention, c => GpuChecks.Attention(G, c), Cases);

    [CudaFact]
    public void ArgmaxAndTopKResolveTiesLikeTheReference() =>
        Properties.Check(GpuSizes.Cuda.Rows, c => GpuChecks.Selection(G, c), Cases);

    /// <summary>A Llama-sized decode product: 4096 inputs, bf16, several blocks of rows.</summary>
    [CudaFact]
    public void MatMulAtModelWidth()
    {
        foreach (var c in new[] { new Kernels.MatMulCase(1, 4096, 300, DType.BF16, 7), new Kernels.MatMulCase(9, 4096, 300, DType.BF16, 8),
                     new Kernels.MatMulCase(5, 4096, 130, DType.F32, 9) })
            GpuChecks.MatMul(G, c);
    }

    [CudaFact]
    public void CudaComputesTheSimulatorsBits()
    {
        using var sim = GpuDevice.CreateCpuSimulator();
        using var simKernels = new GpuKernels(sim);
        Properties.Check(GpuSizes.LongRows.MatMul, c => SameBits($"matmul {c}", simKernels, (g, outputs) =>
        {
            using var x = DeviceTensor.Upload(g.Device, Rand.Tensor(c.T, c.D, c.Seed));
            using var w = new DeviceWeights(g.Device, Rand.Matrix(c.O, c.D, c.Seed + 1, c.Type));
            using var y = new DeviceTensor(g.Device, c.T, c.O);
            g.MatMul(x, w, y);
            outputs.Add(y.Download());
        }), 10);
        Properties.Check(GpuSizes.Simulator.Rows, c => SameBits($"rmsnorm, softmax, swiglu {c}", simKernels, (g, outputs) =>
        {
            using var x = DeviceTensor.Upload(g.Device, Rand.Tensor(c.T, c.N, c.Seed, 5f));
            using var gain = DeviceTensor.Upload(g.Device, Rand.Tensor(1, c.N, c.Seed + 1).Data);
            using var y = new DeviceTensor(g.Device, c.T, c.N);
            g.RmsNorm(x, gain, 1e-5f, y);
            outputs.Add(y.Download());
            g.SwiGlu(x, y, y);
            outputs.Add(y.Download());
            g.Softmax(x);
            outputs.Add(x.Download());
        }), 10);
        Properties.Check(GpuSizes.Simulator.Attention, c => SameBits($"attention {c}", simKernels, (g, outputs) =>
        {
            var (q, k, v, mask) = c.Inputs();
            using var dq = DeviceTensor.Upload(g.Device, q);
            using var dk = DeviceTensor.Upload(g.Device, k);
            using var dv = DeviceTensor.Upload(g.Device, v);
            using var dMask = new DeviceMask(g.Device, mask.Rows, mask.Slots);
            dMask.Set(mask);
            using var y = new DeviceTensor(g.Device, q.Rows, q.Cols);
            g.Attention(dq, dk, dv, dMask, c.HeadDim, y);
            outputs.Add(y.Download());
        }), 10);
    }

    /// <summary>run(kernels, outputs) appends its results; the GPU's must equal the simulator's bit for bit.</summary>
    private void SameBits(string what, GpuKernels simulator, Action<GpuKernels, List<Tensor>> run)
    {
        List<Tensor> onGpu = [], onSimulator = [];
        run(G, onGpu);
        run(simulator, onSimulator);
        for (int i = 0; i < onGpu.Count; i++)
            Assertions.BitwiseEqual(onSimulator[i].Data, onGpu[i].Data, $"{what}, output {i}: CUDA vs the CPU simulator");
    }
}
