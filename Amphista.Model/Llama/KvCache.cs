using Amphista.Tensors.Kernels;

namespace Amphista.Model.Llama;

/// <summary>
/// One sequence's state in the base model: the key/value caches of all L layers, each [C, Hkv·Dh],
/// and the working buffers of its forward passes (<see cref="ForwardBuffers"/>), so that a decoding
/// loop over one cache allocates nothing after its first pass. On a device backend all of it is
/// device memory, which Dispose frees at once.
/// </summary>
public sealed class KvCache : IDisposable
{
    public LayerCache[] Layers { get; }
    public int Capacity { get; }   // C slots

    public KvCache(IKernels kernels, int layers, int capacity, int kvWidth)
    {
        Capacity = capacity;
        Layers = new LayerCache[layers];
        for (int l = 0; l < layers; l++) Layers[l] = new LayerCache(kernels, capacity, kvWidth);
    }

    /// <summary>Working buffers of the model this cache is used with, made by its first pass.</summary>
    internal ForwardBuffers? Buffers { get; set; }

    /// <summary>
    /// For i = 0, 1, ... in order, moves slot from[i] to slot to[i] in every layer (compaction after tree
    /// acceptance): one call per layer's keys and values.
    /// </summary>
    public void MoveSlots(ReadOnlySpan<int> from, ReadOnlySpan<int> to)
    {
        foreach (var layer in Layers) layer.MoveSlots(from, to);
    }

    public void Dispose()
    {
        foreach (var layer in Layers) layer.Dispose();
        Buffers?.Dispose();
    }
}
