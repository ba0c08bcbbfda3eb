// A weight matrix W [O, D] uploaded once to a device, kept in its stored type: bf16 as its 16-bit patterns
// (half the bytes every decode step reads), float32 as floats.
using ILGPU;
using ILGPU.Runtime;

namespace Amphista.Tensors.Gpu;

/// <summary>The device copy of a <see cref="WeightMatrix"/>; widening to float32 happens in the kernels.</summary>
public sealed class DeviceWeights : IDisposable
{
    private readonly MemoryBuffer1D<ushort, Stride1D.Dense>? bf16;   // [O·D] when Type is BF16
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? f32;     // [O·D] when Type is F32

    public GpuDevice Device { get; }
    public int Rows { get; }     // O
    public int Cols { get; }     // D
    public DType Type { get; }   // F32 or BF16

    public DeviceWeights(GpuDevice device, WeightMatrix w)
    {
        Device = device;
        Rows = w.Rows;
        Cols = w.Cols;
        Type = w.Type;
        if (w.Type == DType.BF16)
        {
            bf16 = device.Accelerator.Allocate1D<ushort>(w.BF16.Length);
            bf16.View.CopyFromCPU(device.Stream, w.BF16);
        }
        else
        {
            f32 = device.Accelerator.Allocate1D<float>(w.F32.Length);
            f32.View.CopyFromCPU(device.Stream, w.F32);
        }
    }

    internal Bf16Rows Bf16 => new(bf16!.View);

    internal F32Rows F32 => new(f32!.View);

    public override string ToString() => $"DeviceWeights[{Rows}, {Cols}] {Type}";

    public void Dispose()
    {
        bf16?.Dispose();
        f32?.Dispose();
    }
}
