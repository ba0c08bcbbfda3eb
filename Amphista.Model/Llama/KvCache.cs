namespace Amphista.Model.Llama;

/// <summary>The key/value caches of all L layers, each [C, Hkv·Dh].</summary>
public sealed class KvCache
{
    public LayerCache[] Layers { get; }
    public int Capacity { get; }   // C slots

    public KvCache(int layers, int capacity, int kvWidth)
    {
        Capacity = capacity;
        Layers = new LayerCache[layers];
        for (int l = 0; l < layers; l++) Layers[l] = new LayerCache(capacity, kvWidth);
    }

    /// <summary>Moves slot from to slot to in every layer (compaction after tree acceptance).</summary>
    public void MoveSlot(int from, int to)
    {
        foreach (var layer in Layers) layer.MoveSlot(from, to);
    }
}
