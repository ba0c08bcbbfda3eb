using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Amphista.Tensors;

/// <summary>
/// Measures this machine's streaming read bandwidth: the memory roofline of decoding, which reads
/// every weight once per token. N threads each sum their own contiguous slice of a buffer far larger
/// than the caches with Vector512 loads, the access pattern of a matrix-vector product.
/// </summary>
public static class MemoryBandwidth
{
    public const long DefaultBufferBytes = 512L << 20;

    /// <summary>
    /// Read bandwidth in GB/s (10⁹ bytes/s) over a buffer of bufferBytes, after one warm-up pass.
    /// Reports the best of repeats passes, not the median: on a shared machine other work can only
    /// slow a pass down, so the fastest pass is the closest to what the memory system can deliver.
    /// </summary>
    public static double MeasureGBps(int threads, long bufferBytes = DefaultBufferBytes, int repeats = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferBytes, threads * 64L * sizeof(float));
        var data = GC.AllocateUninitializedArray<float>(checked((int)(bufferBytes / sizeof(float))));   // [n]
        var seconds = TimePasses(data, threads, passes: repeats + 1);
        return (long)data.Length * sizeof(float) / seconds.Skip(1).Min() / 1e9;
    }

    /// <summary>
    /// Wall time of each pass, every thread reading its slice once. The threads first write their
    /// slices (so each page is backed by real memory, not the shared zero page) and then meet the
    /// timing thread at a barrier before and after every pass.
    /// </summary>
    private static double[] TimePasses(float[] data, int threads, int passes)
    {
        var seconds = new double[passes];
        var sums = new float[threads];   // [threads] stored, so the JIT cannot drop the reads
        using var barrier = new Barrier(threads + 1);
        var workers = Enumerable.Range(0, threads).Select(w => new Thread(() =>
        {
            int first = (int)((long)data.Length * w / threads), end = (int)((long)data.Length * (w + 1) / threads);
            data.AsSpan(first, end - first).Fill(1f);
            for (int pass = 0; pass < passes; pass++)
            {
                barrier.SignalAndWait();
                sums[w] += Sum(data, first, end);
                barrier.SignalAndWait();
            }
        }) { IsBackground = true, Name = $"amphista-bandwidth-{w}" }).ToArray();
        foreach (var worker in workers) worker.Start();
        for (int pass = 0; pass < passes; pass++)
        {
            barrier.SignalAndWait();
            long start = Stopwatch.GetTimestamp();
            barrier.SignalAndWait();
            seconds[pass] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        foreach (var worker in workers) worker.Join();
        return seconds;
    }

    /// <summary>Sum of data[first..end): four independent accumulators keep several loads in flight.</summary>
    private static float Sum(float[] data, int first, int end)
    {
        ref float p = ref MemoryMarshal.GetArrayDataReference(data);
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        int i = first;
        for (; i <= end - 64; i += 64)
        {
            s0 += Vector512.LoadUnsafe(ref p, (nuint)i);
            s1 += Vector512.LoadUnsafe(ref p, (nuint)(i + 16));
            s2 += Vector512.LoadUnsafe(ref p, (nuint)(i + 32));
            s3 += Vector512.LoadUnsafe(ref p, (nuint)(i + 48));
        }
        float sum = Vector512.Sum((s0 + s1) + (s2 + s3));
        for (; i < end; i++) sum += data[i];
        return sum;
    }
}
