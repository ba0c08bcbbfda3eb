// The storage of a tensor whose elements live in device memory: what Tensor needs to know of a device
// buffer, so that the tensor type (and everything on the CPU) builds without any GPU library.
namespace Amphista.Tensors;

/// <summary>
/// A device buffer [Rows, Cols] of float32 behind a <see cref="Tensor"/>, supplied by a device backend
/// (Amphista.Tensors.Gpu's DeviceTensor). The tensor keeps it opaque: it reads the shape, names the
/// device in messages, grows it, and frees it; the backend that made it is the only code that reaches
/// the elements.
/// </summary>
public interface IDeviceStorage : IDisposable
{
    /// <summary>The rows the buffer holds (the tensor's capacity).</summary>
    int Rows { get; }

    int Cols { get; }

    /// <summary>The kind of device the buffer lives on ("cuda", "cpu-sim"), for messages.</summary>
    string DeviceKind { get; }

    /// <summary>A zeroed buffer of rows rows and these columns on the same device; this one is freed once queued work is done.</summary>
    IDeviceStorage Grown(int rows);
}
