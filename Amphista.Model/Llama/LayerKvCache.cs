using Amphista.Tensors;
using Amphista.Tensors.Kernels;

namespace Amphista.Model.Llama;

/// <summary>
/// One decoder layer's key/value cache, preallocated in the backend's memory: K, V [C, Hkv·Dh] with C
/// slots. A slot is where a token's keys live; in sequential decoding slot = position, in a tree pass
/// node j of a tree over a prefix of n tokens sits at slot n + j while its position is n + depth(j).
/// </summary>
public sealed class LayerKvCache(IKernels kernels, int capacity, int kvWidth) : IDisposable
{
    public Tensor K { get; } = kernels.Allocate(capacity, kvWidth);   // [C, Hkv·Dh]
    public Tensor V { get; } = kernels.Allocate(capacity, kvWidth);   // [C, Hkv·Dh]

    public int Capacity => K.Rows;

    /// <summary>
    /// Rotates q [T, H·Dh] and k [T, Hkv·Dh] at positions [T] and stores k and v [T, Hkv·Dh] at slots
    /// firstSlot..firstSlot+T-1 (k's own rows are working memory afterwards).
    /// </summary>
    public void Write(int firstSlot, Tensor q, Tensor k, Tensor v, ReadOnlySpan<int> positions, RopeTable rope)
    {
        if (firstSlot < 0 || firstSlot + k.Rows > Capacity)
            throw new InputException($"the key/value cache holds {Capacity} slots; slots {firstSlot}..{firstSlot + k.Rows - 1} do not fit");
        kernels.RopeAndCache(q, k, v, positions, rope, K, V, firstSlot);
    }

    /// <summary>For i = 0, 1, ... in order, moves slot from[i]'s keys and values to slot to[i] (tree commit).</summary>
    public void MoveSlots(ReadOnlySpan<int> from, ReadOnlySpan<int> to)
    {
        kernels.CopyRows(K, from, K, to);
        kernels.CopyRows(V, from, V, to);
    }

    public void Dispose()
    {
        K.Dispose();
        V.Dispose();
    }
}
