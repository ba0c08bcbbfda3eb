using Amphista.Tensors.Gpu;

namespace Amphista.Tests.Gpu;

/// <summary>One CPU simulator and its kernels, shared by the simulator tests (loading costs, and they run serially).</summary>
public sealed class SimulatorFixture : IDisposable
{
    public GpuDevice Device { get; } = GpuDevice.CreateCpuSimulator();

    public GpuKernels Kernels { get; }

    public SimulatorFixture() => Kernels = new GpuKernels(Device);

    public void Dispose()
    {
        Kernels.Dispose();
        Device.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class SimulatorCollection : ICollectionFixture<SimulatorFixture>, ICollectionFixture<SimulatorBackendFixture>
{
    public const string Name = "GPU simulator";
}

/// <summary>The CUDA device, created on first use so that machines without one never touch it.</summary>
public sealed class CudaFixture : IDisposable
{
    private readonly Lazy<GpuKernels> kernels = new(() => new GpuKernels(GpuDevice.CreateCuda()));

    public GpuKernels Kernels => kernels.Value;

    public void Dispose()
    {
        if (!kernels.IsValueCreated) return;
        kernels.Value.Dispose();
        kernels.Value.Device.Dispose();
    }
}

/// <summary>A fact that runs only where ILGPU finds a CUDA device, and is reported as skipped elsewhere.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!GpuDevice.CudaAvailable) Skip = "no CUDA device";
    }
}

/// <summary>A fact about machines without a CUDA device (what the CLI says there); reported as skipped where one exists.</summary>
public sealed class WithoutCudaFactAttribute : FactAttribute
{
    public WithoutCudaFactAttribute()
    {
        if (GpuDevice.CudaAvailable) Skip = "a CUDA device is present";
    }
}
