namespace Amphista.Tensors;

/// <summary>
/// Which cache slots each query row may attend to: Visible [T, S], row t, slot s.
/// The one attention routine serves causal decoding, tree verification and the drafter's
/// bi-directional block; only this mask differs. Keys are always visited in increasing slot order,
/// which is what makes a tree pass reduce in the same order as token-by-token decoding.
/// A decoding loop keeps one mask and refills it each step (<see cref="Reset"/>, <see cref="SetCausal"/>).
/// </summary>
public sealed class AttentionMask
{
    public int Rows { get; private set; }       // T query rows
    public int Slots { get; private set; }      // S cache slots in view
    private bool[] visible;                     // [T, S] (the buffer may be longer)

    /// <summary>Changes with every edit, so a device copy is refreshed only when the mask changed.</summary>
    public int Version { get; private set; }

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
        set
        {
            visible[t * Slots + s] = value;
            Version++;
        }
    }

    public ReadOnlySpan<bool> Row(int t) => visible.AsSpan(t * Slots, Slots);

    /// <summary>Reshapes to [rows, slots] with no slot visible, reusing the buffer when it is large enough.</summary>
    public AttentionMask Reset(int rows, int slots)
    {
        if (rows < 0 || slots < 0) throw new ArgumentException($"negative mask shape [{rows}, {slots}]");
        if ((long)rows * slots > visible.Length) visible = new bool[Math.Max(rows * slots, 2 * visible.Length)];
        else visible.AsSpan(0, rows * slots).Clear();
        (Rows, Slots) = (rows, slots);
        Version++;
        return this;
    }

    /// <summary>Causal: rows are slots start..start+count-1, each sees every slot up to its own.</summary>
    public static AttentionMask Causal(int start, int count) => new AttentionMask(0, 0).SetCausal(start, count);

    /// <summary>Refills this mask as <see cref="Causal"/>.</summary>
    public AttentionMask SetCausal(int start, int count)
    {
        Reset(count, start + count);
        for (int t = 0; t < count; t++)
            visible.AsSpan(t * Slots, start + t + 1).Fill(true);
        Version++;
        return this;
    }

    /// <summary>Row t sees every slot before s (a committed prefix).</summary>
    public void ShowPrefix(int t, int s)
    {
        visible.AsSpan(t * Slots, s).Fill(true);
        Version++;
    }

    /// <summary>Bi-directional: every one of n rows sees all n slots.</summary>
    public static AttentionMask Full(int n)
    {
        var mask = new AttentionMask(n, n);
        mask.visible.AsSpan().Fill(true);
        mask.Version++;
        return mask;
    }
}
