using Amphista.Decoding;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tensors.Gpu;
using Amphista.Tests.Support;

namespace Amphista.Tests.Gpu;

/// <summary>One GpuBackend on the CPU simulator, shared by the backend tests (loading the kernels costs seconds).</summary>
public sealed class SimulatorBackendFixture : IDisposable
{
    public GpuBackend Backend { get; } = new(GpuDevice.CreateCpuSimulator(groupWarps: 1));

    public void Dispose() => Backend.Dispose();
}

/// <summary>
/// The backend seam without a GPU: the unchanged model, drafters and decoders on <see cref="GpuBackend"/> over
/// ILGPU's CPU simulator, which computes what a GPU computes, slowly (tiny models only).
/// </summary>
[Collection(SimulatorCollection.Name)]
public class GpuBackendTests(SimulatorBackendFixture sim)
{
    public static TheoryData<int> Models => [0, 1, 2];

    [Theory]
    [MemberData(nameof(Models))]
    public void ForwardPassMatchesTheCpuKernels(int model) =>
        BackendChecks.ForwardMatchesTheCpu(sim.Backend, DeviceModel.Simulator[model]);

    [Theory]
    [InlineData(0, "medusa:random:3", "[[0],[1],[0,0],[0,1],[0,0,0]]")]
    [InlineData(1, "amphista:random:3", "[[0],[1],[0,0],[1,0],[0,0,0]]")]
    [InlineData(2, "amphista:random:3", "root")]
    [InlineData(2, "medusa:random:3", "[[0],[0,0],[0,0,0]]")]
    public void SpeculativeDecodingEqualsGreedyOnTheDevice(int model, string drafter, string tree) =>
        BackendChecks.SpeculativeEqualsGreedy(sim.Backend, DeviceModel.Simulator[model], drafter, tree, newTokens: 6);

    /// <summary>
    /// A greedy step of a model as deep as the demo model (6 layers; launches do not depend on widths) queues 40
    /// kernels: the embedding; per layer RMSNorm with the q, k, v products, RoPE with the cache write, attention, the
    /// output product with the residual add, RMSNorm with the gate and up products and SwiGLU, the down product with
    /// the residual add; the final RMSNorm, the logits and the argmax. It reads the device once, for the argmax.
    /// </summary>
    [Fact]
    public void AGreedyStepAtTheDemosDepthQueues40KernelsAndReadsOnce()
    {
        var m = DeviceModel.Simulator[2] with { Layers = TestData.Demo.Config.NumLayers };
        var (_, gpu) = m.Build(sim.Backend);
        var decoder = new PlainDecoder(gpu);
        long launches = sim.Backend.Launches;
        var (_, firstReads) = BackendChecks.Reading(sim.Backend, () => decoder.Generate(new DecodeRequest(m.Prompt(2), 1, StopTokens: [])));
        long first = sim.Backend.Launches - launches;
        launches = sim.Backend.Launches;
        var (_, reads) = BackendChecks.Reading(sim.Backend, () => decoder.Generate(new DecodeRequest(m.Prompt(2), 2, StopTokens: [])));
        Assert.Equal(6, TestData.Demo.Config.NumLayers);
        Assert.Equal(40, sim.Backend.Launches - launches - first);
        Assert.Equal(1, reads - firstReads);
    }

    [Fact]
    public void DeviceTensorsRefuseHostReadsAndHostTensorsRefuseDeviceKernels()
    {
        using var onDevice = sim.Backend.Allocate(2, 3);
        var read = Assert.Throws<InvalidOperationException>(() => onDevice.Span.ToArray());
        Assert.Contains("device", read.Message);
        var mixed = Assert.Throws<ArgumentException>(() => sim.Backend.Add(onDevice, new Tensor(2, 3)));
        Assert.Contains("host memory", mixed.Message);
    }

    [Fact]
    public void UploadCopyGatherAndDownloadMoveTheRightRows()
    {
        var b = sim.Backend;
        using var src = b.Allocate(3, 2);
        b.Upload([1, 2, 3, 4, 5, 6], src);
        using var dst = b.Allocate(2, 7);
        b.Copy(src, srcRow: 1, dst, dstRow: 0, rows: 2, dstCol: 1);
        var table = WeightMatrix.FromF32(4, 3, Enumerable.Range(0, 12).Select(i => (float)i).ToArray());
        b.Gather(table, [3, 1], dst, dstCol: 4);
        var back = new float[14];
        b.Download(dst, back);
        Assertions.BitwiseEqual([0, 3, 4, 0, 9, 10, 11, 0, 5, 6, 0, 3, 4, 5], back, "rows 1-2 at column 1, embedding rows 3 and 1 at column 4");
        var unknown = Assert.Throws<InputException>(() => b.Gather(table, [4, 0], dst));
        Assert.Contains("token id 4", unknown.Message);
    }

    [Fact]
    public void ArgmaxAndTopKReadOneRowOfADeviceTensor()
    {
        var b = sim.Backend;
        using var x = b.Allocate(2, 5);
        b.Upload([0, 9, 1, 9, 2, /* row 1 */ 7, 1, 8, 3, 8], x);
        Span<int> top = stackalloc int[3];
        b.TopK(x, 1, top);
        Assert.Equal([2, 4, 0], top.ToArray());
        Assert.Equal(1, b.Argmax(x, 0));
    }
}

/// <summary>The backend checks on a real CUDA device, at shapes with full warps and many blocks; skipped, visibly, elsewhere.</summary>
[Trait("Category", "Cuda")]
public class CudaBackendTests : IDisposable
{
    private readonly Lazy<GpuBackend> cuda = new(() => new GpuBackend(GpuDevice.CreateCuda()));

    [CudaFact]
    public void ForwardPassMatchesTheCpuKernels()
    {
        foreach (var m in DeviceModel.Cuda) BackendChecks.ForwardMatchesTheCpu(cuda.Value, m);
    }

    [CudaFact]
    public void SpeculativeDecodingEqualsGreedyOnTheDevice()
    {
        foreach (var m in DeviceModel.Cuda)
            foreach (var drafter in new[] { "medusa:random:3", "amphista:random:3" })
                foreach (var tree in new[] { "root", "[[0],[0,0],[0,0,0]]", "mc_sim_7b_63" })
                    BackendChecks.SpeculativeEqualsGreedy(cuda.Value, m, drafter, tree, newTokens: 40);
    }

    public void Dispose()
    {
        if (cuda.IsValueCreated) cuda.Value.Dispose();
    }
}
