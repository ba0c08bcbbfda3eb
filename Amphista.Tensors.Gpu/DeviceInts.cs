// A short int vector [T] on a device, checked against a bound when set: token ids (bound V) for the
// embedding gather, positions (bound P) for RoPE.
using ILGPU;
using ILGPU.Runtime;

namespace Amphista.Tensors.Gpu;

/// <summary>
/// Up to Capacity ints, of which the first <see cref="Count"/> are current. Kernels index tables with these
/// values and cannot report an error, so every value is checked on the host when set: all lie in
/// [0, <see cref="Limit"/>), and a kernel accepts the vector only for a table of at least Limit rows.
/// </summary>
public sealed class DeviceInts : IDisposable
{
    private readonly MemoryBuffer1D<int, Stride1D.Dense> buffer;   // [Capacity]

    public GpuDevice Device { get; }
    public int Capacity { get; }
    public int Count { get; private set; }

    /// <summary>Exclusive upper bound the current values were checked against.</summary>
    public int Limit { get; private set; }

    public DeviceInts(GpuDevice device, int capacity)
    {
        if (capacity <= 0) throw new ArgumentException($"capacity {capacity} must be positive");
        Device = device;
        Capacity = capacity;
        buffer = device.Accelerator.Allocate1D<int>(capacity);
    }

    internal ArrayView<int> View => buffer.View.SubView(0, Count);

    /// <summary>Replaces the values, in stream order, after checking each lies in [0, limit).</summary>
    /// <param name="what">What the values are, for the error message ("position", "token id").</param>
    public void Set(ReadOnlySpan<int> values, int limit, string what)
    {
        if (values.Length > Capacity) throw new ArgumentException($"{values.Length} values exceed the capacity of {Capacity}");
        foreach (int v in values)
            if ((uint)v >= (uint)limit)
                throw new InputException($"{what} {v} is outside [0, {limit})");
        Count = values.Length;
        Limit = limit;
        if (Count > 0) View.CopyFromCPU(Device.Stream, values);
    }

    public void Dispose() => buffer.Dispose();
}
