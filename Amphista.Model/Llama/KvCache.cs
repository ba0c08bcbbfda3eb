using Amphista.Tensors.Kernels;

namespace Amphista.Model.Llama;

/// <summary>
/// One sequence's key/value cache in the base model: the caches of all L layers, each [C, Hkv·Dh].
/// On a device backend it is device memory, which Dispose frees at once.
/// </summary>
public sealed class KvCache : IDisposable
{
    public LayerKvCache[] Layers { get; }
    public int Capacity { get; }   // C slots

    public KvCache(IKernels kernels, int layers, int capacity, int kvWidth)
    {
        Capacity = capacity;
        Layers = new LayerKvCache[layers];
        for (int l = 0; l < layers; l++) Layers[l] = new LayerKvCache(kernels, capacity, kvWidth);
    }

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
    }
}
