// RoPE cos/sin tables [P, Dh/2] uploaded once to a device (the bits of the host RopeTable).
using ILGPU;
using ILGPU.Runtime;

namespace Amphista.Tensors.Gpu;

/// <summary>The device copy of a <see cref="RopeTable"/>: every position reads the same bits as on the host.</summary>
public sealed class DeviceRope : IDisposable
{
    private readonly MemoryBuffer1D<float, Stride1D.Dense> cos;   // [P, Dh/2]
    private readonly MemoryBuffer1D<float, Stride1D.Dense> sin;   // [P, Dh/2]

    public GpuDevice Device { get; }
    public int HeadDim { get; }        // Dh
    public int MaxPositions { get; }   // P

    public DeviceRope(GpuDevice device, RopeTable table)
    {
        Device = device;
        HeadDim = table.HeadDim;
        MaxPositions = table.MaxPositions;
        cos = device.Accelerator.Allocate1D(table.Cos);
        sin = device.Accelerator.Allocate1D(table.Sin);
    }

    internal ArrayView<float> Cos => cos.View;

    internal ArrayView<float> Sin => sin.View;

    public void Dispose()
    {
        cos.Dispose();
        sin.Dispose();
    }
}
