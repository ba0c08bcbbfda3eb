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
    private static readonly Lazy<bool> CudaPresent = new(() =>
    {
        using var probe = Context.Create(builder => builder.Cuda());
        return probe.GetCudaDevices().Count > 0;
    });

    private readonly Context context;

    internal Accelerator Accelerator { get; }
    internal KernelSet Kernels { get; }
    internal AcceleratorStream Stream => Accelerator.DefaultStream;

    /// <summary>Warps per block of the warp-per-row kernels (<see cref="GpuKernels.GroupWarps"/> on a GPU).</summary>
    internal int GroupWarps { get; }

    /// <summary>The most warps per block of the T-token product (<see cref="GpuKernels.TileWarps"/> on a GPU).</summary>
    internal int TileWarps { get; }

    /// <summary>"cuda" or "cpu-sim".</summary>
    public string Kind { get; }

    /// <summary>The accelerator's own name (the GPU model, or ILGPU's CPU accelerator).</summary>
    public string Name => Accelerator.Name;

    private GpuDevice(Context context, Accelerator accelerator, string kind, int groupWarps = GpuKernels.GroupWarps,
        int tileWarps = GpuKernels.TileWarps)
    {
        if (groupWarps is < 1 or > AttentionKernels.MaxGroupWarps)
            throw new ArgumentOutOfRangeException(nameof(groupWarps), $"{groupWarps} warps per block; the kernels take 1 to {AttentionKernels.MaxGroupWarps}");
        if (accelerator.WarpSize != DeviceMath.Lanes)
            throw new NotSupportedException($"{accelerator.Name} has {accelerator.WarpSize}-lane warps; the kernels need {DeviceMath.Lanes}");
        this.context = context;
        Accelerator = accelerator;
        Kind = kind;
        GroupWarps = groupWarps;
        TileWarps = tileWarps;
        Kernels = kind == "cuda" ? KernelSet.Load<CudaFloatOps>(accelerator) : KernelSet.Load<CpuFloatOps>(accelerator);
    }

    /// <summary>Whether ILGPU finds a CUDA device on this machine.</summary>
    public static bool CudaAvailable => CudaPresent.Value;

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
    /// ILGPU's CPU accelerator with 32-lane warps and blocks of up to groupWarps warps: the GPU's 4 by default, so
    /// partial blocks, and T-token products whose blocks split rows and tokens, are exercised; 1 for whole models,
    /// where every simulated thread is an OS thread that each kernel launch wakes (the results are the same: each
    /// warp owns its rows, and each sum's order is fixed by the shapes alone).
    /// </summary>
    public static GpuDevice CreateCpuSimulator(int groupWarps = GpuKernels.GroupWarps)
    {
        var device = new CPUDevice(DeviceMath.Lanes, groupWarps, 1);
        var context = NewContext(builder => builder.CPU(device));
        return new GpuDevice(context, context.GetCPUDevice(0).CreateCPUAccelerator(context), "cpu-sim", groupWarps, groupWarps);
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

    /// <summary>
    /// Device memory bandwidth in GB/s, the roofline of a decode step: the median of device-to-device copies of a
    /// buffer far larger than the caches (bytes read plus bytes written, over the time).
    /// </summary>
    public double MeasureBandwidthGBps(int repeats = 7)
    {
        long floats = Kind == "cuda" ? 256L << 20 : 1L << 20;   // 1 GiB on a GPU; the simulator's memory is the host's
        using var a = Accelerator.Allocate1D<float>(floats);
        using var b = Accelerator.Allocate1D<float>(floats);
        a.View.MemSetToZero(Stream);
        var seconds = new double[repeats];
        for (int r = -1; r < repeats; r++)
        {
            Stream.Synchronize();
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            a.View.CopyTo(Stream, b.View);
            Stream.Synchronize();
            if (r >= 0) seconds[r] = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Array.Sort(seconds);
        return 2.0 * floats * sizeof(float) / seconds[repeats / 2] / 1e9;
    }

    public override string ToString() => $"{Kind} ({Name})";

    public void Dispose()
    {
        Accelerator.Dispose();
        context.Dispose();
    }
}
