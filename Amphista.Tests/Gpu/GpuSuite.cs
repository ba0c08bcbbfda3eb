// The device checks as one named list, so that the CUDA tests (one fact each, under a test host) and
// amphista-gpu-checks (on the GPU machine, which has no .NET SDK and so no test host) run the same checks.
using Amphista.Tensors;
using Amphista.Tensors.Gpu;
using Amphista.Tests.Kernels;
using Amphista.Tests.Support;

namespace Amphista.Tests.Gpu;

/// <summary>
/// The <see cref="GpuChecks"/> of one device over random cases of the given sizes; on a CUDA device also a
/// Llama-width product and the GPU computing the simulator's bits exactly (both round every operation once,
/// in the same order). Each check throws on failure.
/// </summary>
public sealed class GpuSuite(GpuKernels g, GpuSizes sizes, int cases)
{
    /// <summary>The CUDA tests' sizes and case count.</summary>
    public static GpuSuite Cuda(GpuKernels g) => new(g, GpuSizes.Cuda, 60);

    /// <summary>Random cases per check on the simulator: every simulated warp costs milliseconds.</summary>
    public const int SimulatorCases = 8;

    /// <summary>The simulator tests' tiny sizes and case count.</summary>
    public static GpuSuite Simulator(GpuKernels g) => new(g, GpuSizes.Simulator, SimulatorCases);

    /// <summary>
    /// Every check, by name. The simulator leaves out the model-width product (too slow there) and the
    /// comparison with the simulator (it would compare the simulator with itself).
    /// </summary>
    public IReadOnlyList<(string Name, Action Run)> Checks =>
    [
        (nameof(MatMul), MatMul),
        (nameof(MatMulOverTokens), MatMulOverTokens),
        (nameof(FusedStepsGiveTheUnfusedBits), FusedStepsGiveTheUnfusedBits),
        (nameof(RmsNorm), RmsNorm),
        (nameof(Softmax), Softmax),
        (nameof(SwiGluAndSilu), SwiGluAndSilu),
        (nameof(AddBiasAndRopeGiveTheReferenceBits), AddBiasAndRopeGiveTheReferenceBits),
        (nameof(Attention), Attention),
        (nameof(AttentionAcrossParts), AttentionAcrossParts),
        (nameof(ArgmaxAndTopKResolveTiesLikeTheReference), ArgmaxAndTopKResolveTiesLikeTheReference),
        .. g.Device.Kind == "cuda"
            ? (IEnumerable<(string, Action)>)[(nameof(MatMulAtModelWidth), MatMulAtModelWidth), (nameof(ComputesTheSimulatorsBits), ComputesTheSimulatorsBits)]
            : [],
    ];

    public void MatMul() => Properties.Check(sizes.MatMul, c => GpuChecks.MatMul(g, c), cases);

    /// <summary>Every row of a product over 1 to 64 tokens against the one-token product: fewer cases, each costs T + 1 products.</summary>
    public void MatMulOverTokens() => Properties.Check(Longer.Tokens, c => GpuChecks.MatMulOverTokens(g, c), Math.Max(2, cases / 4));

    public void FusedStepsGiveTheUnfusedBits() => Properties.Check(sizes.Layer, c => GpuChecks.FusedStepsGiveTheUnfusedBits(g, c), Math.Max(2, cases / 2));

    public void RmsNorm() => Properties.Check(sizes.Rows, c => GpuChecks.RmsNorm(g, c), cases);

    public void Softmax() => Properties.Check(sizes.Rows, c => GpuChecks.Softmax(g, c), cases);

    public void SwiGluAndSilu() => Properties.Check(sizes.Rows, c => GpuChecks.SwiGluAndSilu(g, c), cases);

    public void AddBiasAndRopeGiveTheReferenceBits() => Properties.Check(sizes.Attention, c => GpuChecks.ExactElementwise(g, c), cases);

    public void Attention() => Properties.Check(sizes.Attention, c => GpuChecks.Attention(g, c), cases);

    /// <summary>Caches of several parts.</summary>
    public void AttentionAcrossParts() =>
        Properties.Check(Longer.Attention, c => GpuChecks.AttentionAcrossParts(g, c), Math.Max(2, cases / 2));

    /// <summary>The simulator's <see cref="GpuSizes.Longer"/>; a GPU's own sizes are long already.</summary>
    private GpuSizes Longer => g.Device.Kind == "cuda" ? sizes : GpuSizes.Longer;

    public void ArgmaxAndTopKResolveTiesLikeTheReference() => Properties.Check(sizes.Rows, c => GpuChecks.Selection(g, c), cases);

    /// <summary>A Llama-sized decode product: 4096 inputs, bf16, several blocks of rows.</summary>
    public void MatMulAtModelWidth()
    {
        foreach (var c in new[] { new MatMulCase(1, 4096, 300, DType.BF16, 7), new MatMulCase(9, 4096, 300, DType.BF16, 8),
                     new MatMulCase(5, 4096, 130, DType.F32, 9) })
            GpuChecks.MatMul(g, c);
    }

    /// <summary>This device's outputs equal the CPU simulator's bit for bit: matmul, row kernels, attention.</summary>
    public void ComputesTheSimulatorsBits()
    {
        using var sim = GpuDevice.CreateCpuSimulator();
        using var simKernels = new GpuKernels(sim);
        Properties.Check(GpuSizes.LongRows.MatMul, c => SameBits($"matmul {c}", simKernels, (k, outputs) =>
        {
            using var x = DeviceTensor.Upload(k.Device, Rand.Tensor(c.T, c.D, c.Seed));
            using var w = new DeviceWeights(k.Device, Rand.Matrix(c.O, c.D, c.Seed + 1, c.Type));
            using var y = new DeviceTensor(k.Device, c.T, c.O);
            k.MatMul(x, w, y);
            outputs.Add(y.Download());
        }), 10);
        Properties.Check(GpuSizes.Simulator.Rows, c => SameBits($"rmsnorm, softmax, swiglu {c}", simKernels, (k, outputs) =>
        {
            using var x = DeviceTensor.Upload(k.Device, Rand.Tensor(c.T, c.N, c.Seed, 5f));
            using var gain = DeviceTensor.Upload(k.Device, Rand.Tensor(1, c.N, c.Seed + 1).Data);
            using var y = new DeviceTensor(k.Device, c.T, c.N);
            k.RmsNorm(x, gain, 1e-5f, y);
            outputs.Add(y.Download());
            k.SwiGlu(x, y, y);
            outputs.Add(y.Download());
            k.Softmax(x);
            outputs.Add(x.Download());
        }), 10);
        Properties.Check(GpuSizes.Longer.Tokens, c => SameBits($"rmsnorm and matmul over tokens {c}", simKernels, (k, outputs) =>
        {
            using var x = DeviceTensor.Upload(k.Device, Rand.Tensor(c.T, c.D, c.Seed));
            using var gain = DeviceTensor.Upload(k.Device, Rand.Tensor(1, c.D, c.Seed + 2).Data);
            using var w = new DeviceWeights(k.Device, Rand.Matrix(c.O, c.D, c.Seed + 1, c.Type));
            using var y = new DeviceTensor(k.Device, c.T, c.O);
            k.NormMatMul(x, gain, 1e-5f, [w], [y]);
            outputs.Add(y.Download());
        }), 10);
        Properties.Check(GpuSizes.Longer.Attention, c => SameBits($"attention {c}", simKernels, (k, outputs) =>
        {
            var (q, kCache, vCache, mask) = c.Inputs();
            using var dq = DeviceTensor.Upload(k.Device, q);
            using var dk = DeviceTensor.Upload(k.Device, kCache);
            using var dv = DeviceTensor.Upload(k.Device, vCache);
            using var dMask = new DeviceMask(k.Device, mask.Rows, mask.Slots);
            dMask.Set(mask);
            using var y = new DeviceTensor(k.Device, q.Rows, q.Cols);
            k.Attention(dq, dk, dv, dMask, c.HeadDim, y);
            outputs.Add(y.Download());
        }), 10);
    }

    /// <summary>run(kernels, outputs) appends its results; this device's must equal the simulator's bit for bit.</summary>
    private void SameBits(string what, GpuKernels simulator, Action<GpuKernels, List<Tensor>> run)
    {
        List<Tensor> onDevice = [], onSimulator = [];
        run(g, onDevice);
        run(simulator, onSimulator);
        for (int i = 0; i < onDevice.Count; i++)
            Assertions.BitwiseEqual(onSimulator[i].Data, onDevice[i].Data, $"{what}, output {i}: {g.Device.Kind} vs the CPU simulator");
    }
}
