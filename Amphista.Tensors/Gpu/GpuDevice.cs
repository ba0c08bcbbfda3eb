// One ILGPU context and accelerator with every kernel loaded: a CUDA GPU ("cuda") or, where none exists,
// ILGPU's CPU accelerator simulating 32-lane warps ("cpu-sim", for tests).
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

// ILGPU's CPU accelerator runs kernels through a dynamic assembly of that name, which must see the kernels'
// internal parameter types (weight readers, shape structs).
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("ILGPURuntime")]

namespace Amphista.Tensors.Gpu;

/// <summary>
/// The device the GPU kernels run on. Kernels are written for 32-lane warps (their sums' butterfly is fixed
/// at 32), so the CPU simulator is configured with 32-lane warps too; with the same explicitly rounded
/// arithmetic it computes the same bits a GPU does, only slowly.
/// </summary>
public sealed class GpuDevice : IDisposable
{
    private static readonly Lazy<bool> cudaPresent = new(() =>
    {
        using var probe = Context.Create(builder => builder.Cuda());
        return probe.GetCudaDevices().Count > 0;
    });

    private readonly Context context;

    internal Accelerator Accelerator { get; }
    internal KernelSet Kernels { get; }
    internal AcceleratorStream Stream => Accelerator.DefaultStream;

    /// <summary>"cuda" or "cpu-sim".</summary>
    public string Kind { get; }

    /// <summary>The accelerator's own name (the GPU model, or ILGPU's CPU accelerator).</summary>
    public string Name => Accelerator.Name;

    private GpuDevice(Context context, Accelerator accelerator, string kind)
    {
        if (accelerator.WarpSize != DeviceMath.Lanes)
            throw new NotSupportedException($"{accelerator.Name} has {accelerator.WarpSize}-lane warps; the kernels need {DeviceMath.Lanes}");
        this.context = context;
        Accelerator = accelerator;
        Kind = kind;
        Kernels = kind == "cuda" ? KernelSet.Load<CudaFloatOps>(accelerator) : KernelSet.Load<CpuFloatOps>(accelerator);
    }

    /// <summary>Whether ILGPU finds a CUDA device on this machine.</summary>
    public static bool CudaAvailable => cudaPresent.Value;

    /// <summary>The first CUDA device when there is one, else the CPU simulator.</summary>
    public static GpuDevice Create() => CudaAvailable ? CreateCuda() : CreateCpuSimulator();

    /// <summary>The first CUDA device; throws when there is none.</summary>
    public static GpuDevice CreateCuda()
    {
        var context = NewContext(builder => builder.Cuda());
        var devices = context.GetCudaDevices();
        if (devices.Count == 0)
        {
            context.Dispose();
            throw new NotSupportedException("no CUDA device found");
        }
        return new GpuDevice(context, devices[0].CreateAccelerator(context), "cuda");
    }

    /// <summary>
    /// ILGPU's CPU accelerator with 32-lane warps and blocks of at most the kernels' 4 warps: a larger
    /// simulated device only adds idle threads.
    /// </summary>
    public static GpuDevice CreateCpuSimulator()
    {
        var device = new CPUDevice(DeviceMath.Lanes, GpuKernels.GroupWarps, 1);
        var context = NewContext(builder => builder.CPU(device));
        return new GpuDevice(context, context.GetCPUDevice(0).CreateCPUAccelerator(context), "cpu-sim");
    }

    /// <summary>
    /// O2 makes ILGPU address global memory directly (ld.global rather than generic loads); the default math
    /// mode keeps IEEE division and square root (no approximate or flush-to-zero forms).
    /// </summary>
    internal static Context NewContext(Action<Context.Builder> accelerators) =>
        Context.Create(builder =>
        {
            accelerators(builder);
            builder.Optimize(OptimizationLevel.O2).Math(MathMode.Default);
        });

    public override string ToString() => $"{Kind} ({Name})";

    public void Dispose()
    {
        Accelerator.Dispose();
        context.Dispose();
    }
}
