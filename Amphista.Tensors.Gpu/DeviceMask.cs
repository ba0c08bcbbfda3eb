// An attention mask [T, S] on a device, one byte per (row, slot): 1 where row t may attend to slot s.
using ILGPU;
using ILGPU.Runtime;

namespace Amphista.Tensors.Gpu;

/// <summary>
/// The device copy of an <see cref="AttentionMask"/>, stored packed with row stride S. Allocated once for
/// the largest mask a caller will set (MaxRows · MaxSlots bytes); each <see cref="Set"/> replaces the shape
/// and contents.
/// </summary>
public sealed class DeviceMask : IDisposable
{
    private readonly MemoryBuffer1D<byte, Stride1D.Dense> buffer;   // [MaxRows·MaxSlots]
    private byte[] staging = [];

    public GpuDevice Device { get; }
    public int MaxRows { get; }
    public int MaxSlots { get; }
    public int Rows { get; private set; }    // T
    public int Slots { get; private set; }   // S

    public DeviceMask(GpuDevice device, int maxRows, int maxSlots)
    {
        if (maxRows <= 0 || maxSlots <= 0) throw new ArgumentException($"mask capacity [{maxRows}, {maxSlots}] must be positive");
        Device = device;
        MaxRows = maxRows;
        MaxSlots = maxSlots;
        buffer = device.Accelerator.Allocate1D<byte>((long)maxRows * maxSlots);
    }

    internal ArrayView<byte> View => buffer.View.SubView(0, (long)Rows * Slots);   // [T, S]

    /// <summary>Replaces the mask, in stream order. Every row must see at least one slot.</summary>
    public void Set(AttentionMask mask)
    {
        if (mask.Rows > MaxRows || mask.Slots > MaxSlots)
            throw new ArgumentException($"mask [{mask.Rows}, {mask.Slots}] exceeds the capacity [{MaxRows}, {MaxSlots}]");
        int n = mask.Rows * mask.Slots;
        if (staging.Length < n) staging = new byte[n];
        for (int t = 0; t < mask.Rows; t++)
        {
            var row = mask.Row(t);
            if (!row.Contains(true)) throw new ArgumentException($"attention mask row {t} sees no slot");
            for (int s = 0; s < row.Length; s++) staging[t * mask.Slots + s] = row[s] ? (byte)1 : (byte)0;
        }
        Rows = mask.Rows;
        Slots = mask.Slots;
        if (n > 0) View.CopyFromCPU(Device.Stream, new ReadOnlySpan<byte>(staging, 0, n));
    }

    public void Dispose() => buffer.Dispose();
}
