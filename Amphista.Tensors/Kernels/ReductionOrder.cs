using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Amphista.Tensors.Kernels;

/// <summary>
/// The one order in which every sum of this project adds its terms (SPEC §2), written as plain loops:
/// the specification that the reference kernels call and the vector kernels reproduce at every width.
/// Sixteen partial sums start at +0; term i is added into partial sum i mod 16, in increasing i (a
/// dot product's term by one fused multiply-add); then a fixed tree combines them:
/// s8[j] = p[j] + p[j + 8], s4[j] = s8[j] + s8[j + 4], s2[j] = s4[j] + s4[j + 2], sum = s2[0] + s2[1].
/// Sixteen is what 16-, 8- and 4-lane vectors all hold exactly (one, two or four vectors), so each
/// width keeps whole partial sums in lanes and no width needs another's shuffles.
/// </summary>
public static class ReductionOrder
{
    /// <summary>How many partial sums every reduction keeps.</summary>
    public const int Partials = 16;

    /// <summary>Σ a[i]·b[i].</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"dot of lengths {a.Length} and {b.Length}");
        Span<float> p = stackalloc float[Partials];   // [16] partial sums
        p.Clear();
        for (int i = 0; i < a.Length; i++) p[i % Partials] = MathF.FusedMultiplyAdd(a[i], b[i], p[i % Partials]);
        return Combine(p);
    }

    /// <summary>Σ a[i].</summary>
    public static float Sum(ReadOnlySpan<float> a)
    {
        Span<float> p = stackalloc float[Partials];   // [16] partial sums
        p.Clear();
        for (int i = 0; i < a.Length; i++) p[i % Partials] += a[i];
        return Combine(p);
    }

    /// <summary>The fixed tree over sixteen partial sums.</summary>
    public static float Combine(ReadOnlySpan<float> p)
    {
        Span<float> s = stackalloc float[8];
        for (int j = 0; j < 8; j++) s[j] = p[j] + p[j + 8];
        for (int j = 0; j < 4; j++) s[j] = s[j] + s[j + 4];
        for (int j = 0; j < 2; j++) s[j] = s[j] + s[j + 2];
        return s[0] + s[1];
    }

    /// <summary>
    /// <see cref="Combine(ReadOnlySpan{float})"/> of the sixteen floats at p, in four 4-lane vectors:
    /// (q0 + q2) + (q1 + q3) is s4, lanes j and j + 2 then j = 0 and 1 finish the tree.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Combine(ref float p)
    {
        if (!Vector128.IsHardwareAccelerated) return Combine(System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref p, Partials));
        return Finish((Vector128.LoadUnsafe(ref p) + Vector128.LoadUnsafe(ref p, 8)) + (Vector128.LoadUnsafe(ref p, 4) + Vector128.LoadUnsafe(ref p, 12)));
    }

    /// <summary>The tree's last two levels: s2[j] = s4[j] + s4[j + 2], then s2[0] + s2[1].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Finish(Vector128<float> s4)
    {
        var s2 = s4 + Vector128.Shuffle(s4, Vector128.Create(2, 3, 0, 1));
        return s2.ToScalar() + s2.GetElement(1);
    }
}
