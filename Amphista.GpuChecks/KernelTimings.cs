// The decode-time kernels timed on one device: matmul over Llama-7B's widest weight shapes at the row counts
// speculative decoding verifies (T = 1 for plain decoding up to 64 tree nodes), each against the same matrix's
// T = 1 time, and one row's attention over a long cache. At T = 1 both are bound by the bytes they read, so GB/s
// against the device's memory bandwidth says how close each comes to its roofline; as T grows, matmul does T times
// the arithmetic per weight byte, which the T-token kernel applies to each weight it reads once.
using System.Diagnostics;
using System.Text;
using Amphista.Tensors;
using Amphista.Tensors.Gpu;

namespace Amphista.GpuChecks;

/// <summary>Attention of one query row over Slots cached slots, H heads of HeadDim (as many key/value heads).</summary>
public sealed record AttentionShape(int Slots, int Heads, int HeadDim);

/// <summary>What to time: weight shapes [O, D], row counts, the attention shape, warm-up calls and timed calls.</summary>
public sealed record TimingPlan((int Out, int In)[] MatMuls, int[] Rows, AttentionShape Attention, int Warmups, int Repeats)
{
    /// <summary>Llama-7B's MLP ([11008, 4096]) and LM head ([32000, 4096]); attention over 2048 slots of 32 heads of 128.</summary>
    public static TimingPlan Cuda { get; } = new([(11008, 4096), (32000, 4096)], [1, 4, 16, 64], new(2048, 32, 128), Warmups: 3, Repeats: 20);

    /// <summary>
    /// Tiny shapes, one call each and no warm-up (the simulator compiles nothing on a first call): there the
    /// table only shows that the timing code runs, since a simulated warp costs milliseconds per row.
    /// </summary>
    public static TimingPlan Simulator { get; } = new([(4, 32), (8, 32)], [1, 4, 16, 64], new(70, 2, 16), Warmups: 0, Repeats: 1);
}

public static class KernelTimings
{
    /// <summary>Times every matmul (bf16, then f32) and the attention of the plan, reporting each as it is measured.</summary>
    public static void Run(GpuKernels g, TimingPlan plan, Action<Timing> report)
    {
        foreach (var type in new[] { DType.BF16, DType.F32 })
            foreach (var (o, d) in plan.MatMuls)
            {
                var weights = new RandomWeights(1, type).Matrix(o, d, 0.02f);
                using var w = new DeviceWeights(g.Device, weights);
                double oneToken = 0;
                foreach (int t in plan.Rows)
                {
                    using var x = DeviceTensor.Upload(g.Device, new Tensor(t, d, new RandomWeights(2).Vector(t * d, 1f)));
                    using var y = new DeviceTensor(g.Device, t, o);
                    double us = Time(g, plan, () => g.MatMul(x, w, y));
                    if (t == 1) oneToken = us;
                    report(new Timing($"matmul {type.ToString().ToLowerInvariant()}", $"[{o}, {d}]", t, us, weights.ByteSize,
                        GBPerSecond(weights.ByteSize, us), oneToken > 0 ? us / oneToken : null));
                }
            }

        var (slots, heads, headDim) = plan.Attention;
        int cols = heads * headDim;
        using var q = DeviceTensor.Upload(g.Device, new Tensor(1, cols, new RandomWeights(3).Vector(cols, 1f)));
        using var k = DeviceTensor.Upload(g.Device, new Tensor(slots, cols, new RandomWeights(4).Vector(slots * cols, 1f)));
        using var v = DeviceTensor.Upload(g.Device, new Tensor(slots, cols, new RandomWeights(5).Vector(slots * cols, 1f)));
        using var mask = new DeviceMask(g.Device, 1, slots);
        mask.Set(AttentionMask.Causal(slots - 1, 1));
        using var output = new DeviceTensor(g.Device, 1, cols);
        double attentionUs = Time(g, plan, () => g.Attention(q, k, v, mask, headDim, output));
        long cacheBytes = 2L * slots * cols * sizeof(float);
        report(new Timing("attention", $"S={slots} H={heads} Dh={headDim}", 1, attentionUs, cacheBytes, GBPerSecond(cacheBytes, attentionUs), null));
    }

    /// <summary>The table as text, headed by the device and the plan's repeats.</summary>
    public static string Table(GpuDevice device, TimingPlan plan, IEnumerable<Timing> timings)
    {
        var text = new StringBuilder($"kernel timings on {device}, mean of {plan.Repeats} call(s) after {plan.Warmups} warm-up call(s):\n");
        text.AppendLine($"  {"kernel",-12} {"shape",-22} {"T",3} {"us",10} {"GB/s",8} {"vs T=1",7}");
        foreach (var t in timings)
            text.AppendLine($"  {t.Kernel,-12} {t.Shape,-22} {t.T,3} {t.Microseconds,10:F1} {t.GBPerSecond,8:F0} " +
                (t.RelativeToOneToken is { } r ? $"{r,6:F2}x" : $"{"-",7}"));
        return text.ToString().TrimEnd();
    }

    /// <summary>Mean microseconds per call of a queued kernel, timed to the device finishing the last one.</summary>
    private static double Time(GpuKernels g, TimingPlan plan, Action call)
    {
        for (int i = 0; i < plan.Warmups; i++) call();
        g.Synchronize();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < plan.Repeats; i++) call();
        g.Synchronize();
        return clock.Elapsed.TotalMicroseconds / plan.Repeats;
    }

    private static double GBPerSecond(long bytes, double microseconds) => bytes / microseconds / 1e3;
}
