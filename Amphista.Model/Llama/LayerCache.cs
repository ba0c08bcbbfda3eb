using Amphista.Tensors;

namespace Amphista.Model.Llama;

/// <summary>
/// One decoder layer's key/value cache, preallocated: K, V [C, Hkv·Dh] with C slots. A slot is
/// where a token's keys live; in sequential decoding slot = position, in a tree pass node j of a
/// tree over a prefix of n tokens sits at slot n + j while its position is n + depth(j).
/// </summary>
public sealed class LayerCache(int capacity, int kvWidth)
{
    public Tensor K { get; } = new(capacity, kvWidth);   // [C, Hkv·Dh]
    public Tensor V { get; } = new(capacity, kvWidth);   // [C, Hkv·Dh]

    public int Capacity => K.Rows;

    /// <summary>Stores rows of k, v [T, Hkv·Dh] at slots firstSlot..firstSlot+T-1.</summary>
    public void Write(int firstSlot, Tensor k, Tensor v)
    {
        if (firstSlot < 0 || firstSlot + k.Rows > Capacity)
            throw new InputException($"the key/value cache holds {Capacity} slots; slots {firstSlot}..{firstSlot + k.Rows - 1} do not fit");
        k.Span.CopyTo(K.Data.AsSpan(firstSlot * K.Cols));
        v.Span.CopyTo(V.Data.AsSpan(firstSlot * V.Cols));
    }

    /// <summary>Moves one slot's keys and values to another slot (tree commit).</summary>
    public void MoveSlot(int from, int to)
    {
        K.Row(from).CopyTo(K.Row(to));
        V.Row(from).CopyTo(V.Row(to));
    }
}
