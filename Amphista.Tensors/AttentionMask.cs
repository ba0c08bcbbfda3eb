namespace Amphista.Tensors;

/// <summary>
/// Which cache slots each query row may attend to: Visible [T, S], row t, slot s.
/// The one attention routine serves causal decoding, tree verification and the drafter's
/// bi-directional block; only this mask differs. Keys are always visited in increasing slot order,
/// which is what makes a tree pass reduce in the same order as token-by-token decoding.
/// </summary>
public sealed class AttentionMask
{
    public int Rows { get; }       // T query rows
    public int Slots { get; }      // S cache slots in view
    private readonly bool[] visible;   // [T, S]

    public AttentionMask(int rows, int slots)
    {
        if (rows < 0 || slots < 0) throw new ArgumentException($"negative mask shape [{rows}, {slots}]");
        Rows = rows;
        Slots = slots;
        visible = new bool[rows * slots];
    }

    public bool this[int t, int s]
    {
        get => visible[t * Slots + s];
        set => visible[t * Slots + s] = value;
    }

    public ReadOnlySpan<bool> Row(int t) => visible.AsSpan(t * Slots, Slots);

    /// <summary>Causal: rows are slots start..start+count-1, each sees every slot up to its own.</summary>
    public static AttentionMask Causal(int start, int count)
    {
        var mask = new AttentionMask(count, start + count);
        for (int t = 0; t < count; t++)
            mask.visible.AsSpan(t * mask.Slots, start + t + 1).Fill(true);
        return mask;
    }

    /// <summary>Bi-directional: every one of n rows sees all n slots.</summary>
    public static AttentionMask Full(int n)
    {
        var mask = new AttentionMask(n, n);
        mask.visible.AsSpan().Fill(true);
        return mask;
    }
}
