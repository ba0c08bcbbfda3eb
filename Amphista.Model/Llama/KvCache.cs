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

    /// <summary>Moves slot from to slot to in every layer (compaction after tree acceptance).</summary>
    public void MoveSlot(int from, int to)
    {
        foreach (var layer in Layers) layer.MoveSlot(from, to);
    }

    public void Dispose()
    {
        foreach (var layer in Layers) layer.Dispose();
    }
}
