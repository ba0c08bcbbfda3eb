// A float32 activation buffer [Rows, Cols] (row-major) on a device, the device twin of Tensor; row ranges
// can be viewed without copying (a cache's slots, the first T rows of a scratch buffer).
using ILGPU;
using ILGPU.Runtime;

namespace Amphista.Tensors.Gpu;

/// <summary>
/// A [Rows, Cols] float32 buffer on a <see cref="GpuDevice"/>. Vectors (norm gains, biases) are [1, N].
/// <see cref="Slice"/> gives a view of consecutive rows that shares the memory; only the tensor that
/// allocated the memory frees it.
/// </summary>
public sealed class DeviceTensor : IDeviceStorage
{
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? owned;

    public GpuDevice Device { get; }
    public int Rows { get; }
    public int Cols { get; }
    internal ArrayView<float> View { get; }   // [Rows·Cols]

    /// <summary>A zeroed [rows, cols] buffer.</summary>
    public DeviceTensor(GpuDevice device, int rows, int cols)
    {
        if (rows < 0 || cols < 0) throw new ArgumentException($"negative shape [{rows}, {cols}]");
        Device = device;
        Rows = rows;
        Cols = cols;
        // An empty buffer (a working buffer before its first pass) still gets one element: ILGPU has no empty buffers.
        owned = device.Accelerator.Allocate1D<float>(Math.Max(1L, (long)rows * cols));
        owned.View.MemSetToZero(device.Stream);
        View = owned.View.SubView(0, (long)rows * cols);
    }

    private DeviceTensor(GpuDevice device, ArrayView<float> view, int rows, int cols)
    {
        Device = device;
        View = view;
        Rows = rows;
        Cols = cols;
    }

    /// <summary>A device copy of t.</summary>
    public static DeviceTensor Upload(GpuDevice device, Tensor t)
    {
        var d = new DeviceTensor(device, t.Rows, t.Cols);
        d.CopyFrom(t);
        return d;
    }

    /// <summary>A device copy of a vector, as [1, N].</summary>
    public static DeviceTensor Upload(GpuDevice device, float[] vector) => Upload(device, new Tensor(1, vector.Length, vector));

    /// <summary>Rows [first, first + count) as a tensor sharing this one's memory.</summary>
    public DeviceTensor Slice(int first, int count)
    {
        if (first < 0 || count < 0 || first + count > Rows)
            throw new ArgumentOutOfRangeException(nameof(first), $"rows [{first}, {first + count}) outside [0, {Rows})");
        return new DeviceTensor(Device, View.SubView((long)first * Cols, (long)count * Cols), count, Cols);
    }

    /// <summary>Overwrites this tensor with t (same shape), in stream order.</summary>
    public void CopyFrom(Tensor t)
    {
        CheckShape(t);
        Write(t.Span);
    }

    /// <summary>Copies this tensor into t (same shape) once every kernel queued before has finished.</summary>
    public void CopyTo(Tensor t)
    {
        CheckShape(t);
        Read(t.Span);
    }

    /// <summary>Overwrites this tensor with values [Rows·Cols], in stream order.</summary>
    public void Write(ReadOnlySpan<float> values)
    {
        CheckLength(values.Length);
        if (values.Length > 0) View.CopyFromCPU(Device.Stream, values);
    }

    /// <summary>Copies this tensor into values [Rows·Cols] once every kernel queued before has finished.</summary>
    public void Read(Span<float> values)
    {
        CheckLength(values.Length);
        if (values.Length > 0) View.CopyToCPU(Device.Stream, values);
    }

    private void CheckLength(int length)
    {
        if (length != (long)Rows * Cols) throw new ArgumentException($"{length} host values for device tensor {this}");
    }

    public Tensor Download()
    {
        var t = new Tensor(Rows, Cols);
        CopyTo(t);
        return t;
    }

    /// <summary>A zeroed buffer of rows rows and this one's columns; this one is freed once queued work is done.</summary>
    internal DeviceTensor Grown(int rows)
    {
        Device.Stream.Synchronize();
        Dispose();
        return new DeviceTensor(Device, rows, Cols);
    }

    private void CheckShape(Tensor t)
    {
        if (t.Rows != Rows || t.Cols != Cols) throw new ArgumentException($"host {t} does not match device tensor {this}");
    }

    string IDeviceStorage.DeviceKind => Device.Kind;

    IDeviceStorage IDeviceStorage.Grown(int rows) => Grown(rows);

    public override string ToString() => $"DeviceTensor[{Rows}, {Cols}]";

    public void Dispose() => owned?.Dispose();
}
