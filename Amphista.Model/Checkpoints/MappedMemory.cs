using System.Buffers;

namespace Amphista.Model.Checkpoints;

/// <summary>
/// A tensor's elements where they lie in a memory-mapped safetensors file, as <see cref="Memory{T}"/>
/// so that a weight matrix can hold them instead of a copy. The mapping is the file's: every access
/// checks that the file is still open, and nothing here frees memory. Callers only ever see it as
/// <see cref="ReadOnlyMemory{T}"/>; the mapping is read-only.
/// </summary>
internal sealed unsafe class MappedMemory<T>(SafeTensorsFile file, byte* start, int length) : MemoryManager<T>
    where T : unmanaged
{
    public override Span<T> GetSpan()
    {
        file.ThrowIfDisposed();
        return new Span<T>(start, length);
    }

    // The mapping never moves, so pinning is a pointer and unpinning nothing.
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        file.ThrowIfDisposed();
        if ((uint)elementIndex > (uint)length) throw new ArgumentOutOfRangeException(nameof(elementIndex));
        return new MemoryHandle((T*)start + elementIndex);
    }

    public override void Unpin() { }

    protected override void Dispose(bool disposing) { }
}
