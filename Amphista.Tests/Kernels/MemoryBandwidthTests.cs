using Amphista.Tensors;

namespace Amphista.Tests.Kernels;

/// <summary>The bandwidth probe gives a usable number; its size on this machine is the bench command's business.</summary>
public sealed class MemoryBandwidthTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_small_buffer_reads_at_a_positive_finite_rate(int threads)
    {
        // 1 MiB + 12 bytes: slices of unequal length with scalar tails. Repeated, because a pass
        // timed wrongly (say, by a descheduled thread) shows up only now and then.
        for (int run = 0; run < 20; run++)
        {
            double gbps = MemoryBandwidth.MeasureGBps(threads, bufferBytes: (1 << 20) + 12, repeats: 3);
            Assert.True(double.IsFinite(gbps) && gbps > 0, $"run {run}: {threads} threads measured {gbps} GB/s");
        }
    }

    [Fact]
    public void Impossible_settings_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MemoryBandwidth.MeasureGBps(threads: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => MemoryBandwidth.MeasureGBps(threads: 1, repeats: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => MemoryBandwidth.MeasureGBps(threads: 4, bufferBytes: 4 * MemoryBandwidth.MinSliceBytes - 4));
    }
}
