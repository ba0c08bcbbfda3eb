using System.Runtime.Intrinsics;

namespace Amphista.Tensors;

/// <summary>
/// Approximately normal values from a hash of (tensor key, element index): SplitMix64's mix of
/// key + (index + 1)·γ, whose four 16-bit quarters are summed (Irwin-Hall, n = 4: variance 1/3,
/// tails cut at ±3.46 std) and centred. A few integer operations per value and no state, so any
/// range of indices can be filled by any thread; the Vector512 path and the scalar tail perform the
/// same float operations in the same order, so an element's bits never depend on where a range starts.
/// </summary>
internal static class HashedNormals
{
    private const ulong Gamma = 0x9E3779B97F4A7C15;         // SplitMix64's increment (2^64 / golden ratio)
    private const float QuarterSumMean = 131070f;           // 4 · 32767.5
    private static readonly float QuarterSumToStd = MathF.Sqrt(3f) / 65536f;   // the sum's std is 65536 / sqrt(3)

    /// <summary>The key of the seed's tensor number tensor: mixed, so neighbouring seeds share no values.</summary>
    public static ulong TensorKey(int seed, int tensor) => Mix(((ulong)(uint)seed << 32) | (uint)tensor);

    /// <summary>Element index of tensor key: approximately N(0, 1).</summary>
    public static float Normal(ulong key, long index)
    {
        ulong h = Mix(key + (ulong)(index + 1) * Gamma);
        ulong quarters = (h & 0xFFFF) + ((h >> 16) & 0xFFFF) + ((h >> 32) & 0xFFFF) + (h >> 48);
        return ((float)quarters - QuarterSumMean) * QuarterSumToStd;
    }

    /// <summary>dst[i] = std · Normal(key, firstIndex + i).</summary>
    public static void Fill(Span<float> dst, ulong key, long firstIndex, float std)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= dst.Length - 16; i += 16)
                (std * Normals16(key, firstIndex + i)).CopyTo(dst.Slice(i));
        for (; i < dst.Length; i++) dst[i] = std * Normal(key, firstIndex + i);
    }

    /// <summary>dst[i] = bf16(std · Normal(key, firstIndex + i)), rounded to nearest even.</summary>
    public static void FillBF16(Span<ushort> dst, ulong key, long firstIndex, float std)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= dst.Length - 32; i += 32)
            {
                var low = ToBF16(std * Normals16(key, firstIndex + i));
                var high = ToBF16(std * Normals16(key, firstIndex + i + 16));
                Vector512.Narrow(low, high).CopyTo(dst.Slice(i));
            }
        for (; i < dst.Length; i++) dst[i] = DTypes.SingleToBF16(std * Normal(key, firstIndex + i));
    }

    /// <summary>Normal(key, index + j) for j in 0..15.</summary>
    private static Vector512<float> Normals16(ulong key, long index)
    {
        var first = Vector512.Create((ulong)index + 1) + Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7);
        var low = Vector512.ConvertToDouble(Quarters(key, first));
        var high = Vector512.ConvertToDouble(Quarters(key, first + Vector512.Create(8UL)));
        // Quarter sums are at most 262,140: exact in double and in float, as in the scalar path.
        return (Vector512.Narrow(low, high) - Vector512.Create(QuarterSumMean)) * Vector512.Create(QuarterSumToStd);
    }

    private static Vector512<ulong> Quarters(ulong key, Vector512<ulong> indexPlusOne)
    {
        var h = Mix(Vector512.Create(key) + indexPlusOne * Gamma);
        var mask = Vector512.Create(0xFFFFUL);
        return (h & mask) + ((h >> 16) & mask) + ((h >> 32) & mask) + (h >> 48);
    }

    /// <summary>Round to nearest even, as <see cref="DTypes.SingleToBF16"/> does for non-NaN values (all of them here).</summary>
    private static Vector512<uint> ToBF16(Vector512<float> x)
    {
        var bits = x.AsUInt32();
        return (bits + Vector512.Create(0x7FFFu) + ((bits >> 16) & Vector512<uint>.One)) >> 16;
    }

    /// <summary>SplitMix64's finaliser (Steele, Lea and Flood 2014): a bijective avalanche mix.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    private static Vector512<ulong> Mix(Vector512<ulong> z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
