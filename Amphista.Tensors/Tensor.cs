using System.Diagnostics.CodeAnalysis;

namespace Amphista.Tensors;

/// <summary>
/// A float32 activation buffer with an explicit 2-D shape [Rows, Cols] (row-major). Every activation
/// in the project is a stack of row vectors (tokens, heads, tree nodes), so two dimensions suffice;
/// the shape comment where a Tensor is declared names what the rows and columns are.
/// A working buffer is allocated once for the most rows a step can need and then used at each
/// step's row count (<see cref="Resize"/>), so the decode loop allocates nothing; the storage may
/// therefore hold more than Rows × Cols, and <see cref="Span"/> is the live part.
/// The storage is host memory or, for a tensor made by a device backend (<see cref="Kernels.IKernels.Allocate"/>),
/// device memory (an opaque <see cref="IDeviceStorage"/>): code that runs on either backend touches a tensor only through the kernels, and
/// reading a device tensor's elements on the host is an error that says so.
/// </summary>
public sealed class Tensor : IDisposable
{
    private readonly float[]? host;          // [Capacity · Cols] on the host
    private readonly IDeviceStorage? device;   // [Capacity, Cols] on a device

    public int Rows { get; private set; }
    public int Cols { get; }

    public Tensor(int rows, int cols)
    {
        if (rows < 0 || cols < 0) throw new ArgumentException($"negative shape [{rows}, {cols}]");
        Rows = rows;
        Cols = cols;
        host = new float[rows * cols];
    }

    public Tensor(int rows, int cols, float[] data)
    {
        if ((long)rows * cols != data.Length)
            throw new ArgumentException($"data of length {data.Length} does not match shape [{rows}, {cols}]");
        Rows = rows;
        Cols = cols;
        host = data;
    }

    /// <summary>A tensor whose storage is a device buffer [rows, cols]; device backends make these (<see cref="Kernels.IKernels.Allocate"/>).</summary>
    public Tensor(IDeviceStorage storage)
    {
        Rows = storage.Rows;
        Cols = storage.Cols;
        device = storage;
    }

    /// <summary>Whether the elements live in device memory.</summary>
    public bool OnDevice => device is not null;

    /// <summary>The device storage [Capacity, Cols], for the backend that made it; null for a host tensor.</summary>
    public IDeviceStorage? Storage => device;

    /// <summary>The host storage (may be longer than Rows · Cols).</summary>
    public float[] Data => host ?? OnDeviceError();

    /// <summary>The live elements [Rows · Cols].</summary>
    public Span<float> Span => Data.AsSpan(0, Rows * Cols);

    /// <summary>The most rows the buffer holds.</summary>
    public int Capacity => device?.Rows ?? (Cols == 0 ? Rows : host!.Length / Cols);

    /// <summary>Uses the first rows rows of the buffer from now on (the contents are kept).</summary>
    public Tensor Resize(int rows)
    {
        if (rows < 0 || rows > Capacity)
            throw new ArgumentOutOfRangeException(nameof(rows), $"{rows} rows do not fit a buffer of {Capacity} rows of {Cols}");
        Rows = rows;
        return this;
    }

    /// <summary>
    /// buffer at rows rows, replaced first by a larger buffer in the same memory (host or the same device)
    /// if it holds fewer.
    /// </summary>
    public static Tensor Ensure(ref Tensor buffer, int rows)
    {
        if (rows > buffer.Capacity)
            buffer = buffer.device is null ? new Tensor(rows, buffer.Cols) : new Tensor(buffer.device.Grown(rows));
        return buffer.Resize(rows);
    }

    public Span<float> Row(int r)
    {
        if ((uint)r >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(r), $"row {r} outside [0, {Rows})");
        return Data.AsSpan(r * Cols, Cols);
    }

    public float this[int r, int c]
    {
        get => Data[r * Cols + c];
        set => Data[r * Cols + c] = value;
    }

    // Kept out of Data so that the property stays a field read the JIT inlines into the kernels' loops.
    [DoesNotReturn]
    private float[] OnDeviceError() => throw new InvalidOperationException(
        $"{this} lives on the {device!.DeviceKind} device: read it through the kernels (Download), not on the host");

    /// <summary>Frees device storage now rather than at finalization (device memory is invisible to the GC); nothing for a host tensor.</summary>
    public void Dispose() => device?.Dispose();

    public override string ToString() => device is null ? $"Tensor[{Rows}, {Cols}]" : $"Tensor[{Rows}, {Cols}] on {device.DeviceKind}";
}
