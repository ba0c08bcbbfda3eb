using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using Amphista.Tensors;

namespace Amphista.Model.Checkpoints;

/// <summary>
/// Read-only, memory-mapped view of one .safetensors file: an 8-byte little-endian header length N,
/// N bytes of JSON header, then the data block. Tensors are served as spans or memory over the mapping,
/// so a multi-gigabyte shard costs no copy until a caller converts a tensor.
/// </summary>
public sealed unsafe class SafeTensorsFile : IDisposable
{
    /// <summary>The reference reader's cap; anything larger is a corrupt or hostile file.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private readonly MemoryMappedFile map;
    private readonly MemoryMappedViewAccessor view;
    private readonly long dataStart;
    private byte* basePtr;

    public string Path { get; }
    public IReadOnlyDictionary<string, TensorEntry> Entries { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    private SafeTensorsFile(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, byte* basePtr,
        long dataStart, Dictionary<string, TensorEntry> entries, Dictionary<string, string> metadata)
    {
        Path = path;
        this.map = map;
        this.view = view;
        this.basePtr = basePtr;
        this.dataStart = dataStart;
        Entries = entries;
        Metadata = metadata;
    }

    public static SafeTensorsFile Open(string path)
    {
        // Spans over the mapping are reinterpreted as little-endian floats without byte swapping.
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors reading requires a little-endian host");
        if (!File.Exists(path))
            throw new CheckpointException($"{path}: file not found");

        // A symbolic link (a Hugging Face cache snapshot holds nothing else) has its own length: take its target's.
        var file = new FileInfo(path);
        long fileLength = (file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file).Length;
        if (fileLength < 8)
            throw new CheckpointException($"{path}: truncated: {fileLength} bytes, shorter than the 8-byte header length");

        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        byte* basePtr = null;
        try
        {
            view = map.CreateViewAccessor(0, fileLength, MemoryMappedFileAccess.Read);
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref basePtr);
            basePtr += view.PointerOffset;

            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(basePtr, 8));
            if (headerLength > MaxHeaderBytes)
                throw new CheckpointException($"{path}: header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit");
            if ((long)headerLength > fileLength - 8)
                throw new CheckpointException(
                    $"{path}: truncated: header length {headerLength} runs past the end of the file ({fileLength} bytes)");

            long dataStart = 8 + (long)headerLength;
            var json = new ReadOnlySpan<byte>(basePtr + 8, (int)headerLength).ToArray();
            var (entries, metadata) = SafeTensorsHeader.Parse(json, fileLength - dataStart, path);
            return new SafeTensorsFile(path, map, view, basePtr, dataStart, entries, metadata);
        }
        catch
        {
            if (basePtr != null) view!.SafeMemoryMappedViewHandle.ReleasePointer();
            view?.Dispose();
            map.Dispose();
            throw;
        }
    }

    /// <summary>The raw little-endian bytes of a tensor; valid until this file is disposed.</summary>
    public ReadOnlySpan<byte> Bytes(TensorEntry e) => new(Start(e), (int)e.ByteLength);

    /// <summary>
    /// The tensor's elements in place in the mapping, valid until this file is disposed (reads after
    /// that throw ObjectDisposedException); null when the tensor's offset in the file is not a multiple
    /// of the element size, which the format allows and a typed view over it would not honour.
    /// </summary>
    public ReadOnlyMemory<T>? InPlace<T>(TensorEntry e) where T : unmanaged
    {
        byte* start = Start(e);
        if ((nuint)start % (nuint)sizeof(T) != 0) return null;
        return new MappedMemory<T>(this, start, (int)(e.ByteLength / sizeof(T))).Memory;
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(basePtr == null, this);

    private byte* Start(TensorEntry e)
    {
        ThrowIfDisposed();
        if (!Entries.TryGetValue(e.Name, out var own) || own.Begin != e.Begin || own.End != e.End)
            throw new ArgumentException($"tensor '{e.Name}' is not an entry of {Path}", nameof(e));
        if (e.ByteLength > int.MaxValue)
            throw new CheckpointException(
                $"{Path}: tensor '{e.Name}' is {e.ByteLength} bytes; tensors of 2 GiB or more are not supported");
        return basePtr + dataStart + e.Begin;
    }

    public void Dispose()
    {
        if (basePtr == null) return;
        basePtr = null;
        view.SafeMemoryMappedViewHandle.ReleasePointer();
        view.Dispose();
        map.Dispose();
    }

    public override string ToString() => $"{Path} ({Entries.Count} tensors)";
}
