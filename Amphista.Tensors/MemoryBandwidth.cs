using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Amphista.Tensors.Kernels;

namespace Amphista.Tensors;

/// <summary>
/// Measures this machine's streaming read bandwidth: the memory roofline of decoding, which reads
/// every weight once per token. N threads each sum their own contiguous slice of a buffer far larger
/// than the CPU caches with loads of the widest vectors this machine accelerates, the access pattern of a
/// matrix-vector product.
/// </summary>
public static class MemoryBandwidth
{
    public const long DefaultBufferBytes = 512L << 20;
    public const long MinSliceBytes = 64L << 10;

    /// <summary>
    /// Read bandwidth in GB/s (10⁹ bytes/s) over a buffer of bufferBytes, after one warm-up pass.
    /// Reports the best of repeats passes, not the median: on a shared machine other work can only
    /// slow a pass down, so the fastest pass is the closest to what the memory system can deliver.
    /// </summary>
    public static double MeasureGBps(int threads, long bufferBytes = DefaultBufferBytes, int repeats = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        // At least 64 KiB a thread, so a pass lasts many ticks of the clock even from the CPU cache.
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferBytes, threads * MinSliceBytes);
        var data = GC.AllocateUninitializedArray<float>(checked((int)(bufferBytes / sizeof(float))));   // [n]
        var seconds = TimePasses(data, threads, passes: repeats + 1);
        return (long)data.Length * sizeof(float) / seconds.Skip(1).Min() / 1e9;
    }

    /// <summary>
    /// Wall time of each pass: from the first thread's start to the last thread's end, read by the
    /// workers themselves (a separate timing thread can be descheduled and miss the window when the
    /// machine has no spare core). The threads first write their slices, so each page is backed by
    /// real memory rather than the shared zero page, and start every pass together at a barrier.
    /// </summary>
    private static double[] TimePasses(float[] data, int threads, int passes)
    {
        var starts = new long[passes, threads];   // [passes, threads] timestamps
        var ends = new long[passes, threads];     // [passes, threads]
        var sums = new float[threads];            // [threads] stored, so the JIT cannot drop the reads
        using var barrier = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(w => new Thread(() =>
        {
            int first = (int)((long)data.Length * w / threads), end = (int)((long)data.Length * (w + 1) / threads);
            data.AsSpan(first, end - first).Fill(1f);
            for (int pass = 0; pass < passes; pass++)
            {
                barrier.SignalAndWait();
                starts[pass, w] = Stopwatch.GetTimestamp();
                sums[w] += Sum(data, first, end);
                ends[pass, w] = Stopwatch.GetTimestamp();
            }
        }) { IsBackground = true, Name = $"amphista-bandwidth-{w}" }).ToArray();
        foreach (var worker in workers) worker.Start();
        foreach (var worker in workers) worker.Join();
        return Enumerable.Range(0, passes).Select(pass =>
        {
            var threadIds = Enumerable.Range(0, threads);
            long ticks = threadIds.Max(w => ends[pass, w]) - threadIds.Min(w => starts[pass, w]);
            return (double)ticks / Stopwatch.Frequency;
        }).ToArray();
    }

    /// <summary>Sum of data[first..end) (its value only keeps the reads alive), at the widest accelerated width.</summary>
    private static float Sum(float[] data, int first, int end) => VectorWidth.Widest.Bits switch
    {
        512 => Sum<Simd512, Vector512<float>>(data, first, end),
        256 => Sum<Simd256, Vector256<float>>(data, first, end),
        128 => Sum<Simd128, Vector128<float>>(data, first, end),
        _ => Sum<SimdScalar, float>(data, first, end),
    };

    /// <summary>Four independent accumulators over consecutive vectors keep several loads in flight.</summary>
    private static float Sum<V, TVec>(float[] data, int first, int end) where V : struct, IVectorOps<TVec> where TVec : struct
    {
        ref float p = ref MemoryMarshal.GetArrayDataReference(data);
        TVec s0 = V.Zero, s1 = V.Zero, s2 = V.Zero, s3 = V.Zero;
        int i = first, step = 4 * V.Lanes;
        for (; i <= end - step; i += step)
        {
            s0 = V.Add(s0, V.Load(ref p, i));
            s1 = V.Add(s1, V.Load(ref p, i + V.Lanes));
            s2 = V.Add(s2, V.Load(ref p, i + 2 * V.Lanes));
            s3 = V.Add(s3, V.Load(ref p, i + 3 * V.Lanes));
        }
        var lanes = new float[V.Lanes];   // [Lanes]
        V.Store(V.Add(V.Add(s0, s1), V.Add(s2, s3)), ref lanes[0], 0);
        float sum = lanes.Sum();
        for (; i < end; i++) sum += data[i];
        return sum;
    }
}
