using Amphista.Tensors;
using Amphista.Tensors.Gpu;
using Amphista.Tensors.Kernels;
using Amphista.Tests.Support;

namespace Amphista.Tests.Gpu;

/// <summary>
/// The GPU kernels on ILGPU's CPU accelerator, which runs them with 32-lane warps and the same explicitly
/// rounded arithmetic a GPU uses: agreement with the reference kernels, bitwise batch invariance, exact
/// selection. Shapes are tiny because every simulated warp costs milliseconds.
/// </summary>
[Collection(SimulatorCollection.Name)]
public class GpuSimulatorTests(SimulatorFixture sim)
{
    private GpuKernels G => sim.Kernels;

    private GpuSuite Suite => GpuSuite.Simulator(sim.Kernels);

    [Fact]
    public void MatMul() => Suite.MatMul();

    [Fact]
    public void MatMulOverLongRows() =>
        Properties.Check(GpuSizes.LongRows.MatMul, c => GpuChecks.MatMul(G, c), GpuSuite.SimulatorCases);

    [Fact]
    public void MatMulOverTokens() => Suite.MatMulOverTokens();

    [Fact]
    public void FusedStepsGiveTheUnfusedBits() => Suite.FusedStepsGiveTheUnfusedBits();

    [Fact]
    public void RmsNorm() => Suite.RmsNorm();

    [Fact]
    public void Softmax() => Suite.Softmax();

    [Fact]
    public void SwiGluAndSilu() => Suite.SwiGluAndSilu();

    [Fact]
    public void AddBiasAndRopeGiveTheReferenceBits() => Suite.AddBiasAndRopeGiveTheReferenceBits();

    [Fact]
    public void Attention() => Suite.Attention();

    [Fact]
    public void AttentionAcrossParts() => Suite.AttentionAcrossParts();

    [Fact]
    public void ArgmaxAndTopKResolveTiesLikeTheReference() => Suite.ArgmaxAndTopKResolveTiesLikeTheReference();

    [Fact]
    public void ArgmaxAndTopKWithNaNFollowTheReferenceLoop()
    {
        float[] x = [float.NaN, 3f, 5f, 5f, float.NaN, 1f];
        using var dx = DeviceTensor.Upload(sim.Device, x);
        var reference = new ReferenceKernels();
        Assert.Equal(reference.Argmax(x), G.Argmax(dx));
        int[] expected = new int[4], actual = new int[4];
        reference.TopK(x, expected);
        G.TopK(dx, actual);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void TopKOfEveryRowIsOneLaunchAndEachRowFollowsTheReference()
    {
        var x = Rand.Tensor(4, 37, 9);
        x[0, 30] = x[0, 3] = x.Row(0).ToArray().Max();   // a tie at the top
        x[2, 5] = float.NaN;                              // this row follows the reference loop
        using var dx = DeviceTensor.Upload(sim.Device, x);
        int[] actual = new int[4 * 3], expected = new int[3];
        long launches = G.Launches;
        G.TopK(dx, 3, actual);
        Assert.Equal(1, G.Launches - launches);
        for (int r = 0; r < x.Rows; r++)
        {
            new ReferenceKernels().TopK(x.Row(r), expected);
            Assert.Equal(expected, actual[(3 * r)..(3 * r + 3)]);
        }
    }

    /// <summary>
    /// The device exp across its range, against the reference's MathF.Exp: through softmax of a row [0, x...]
    /// with every x ≤ −30 (the sum rounds to 1, so each output is e^x itself, down into the subnormals and
    /// to 0), and through SiLU (g / (1 + e^-g), up to overflow). Within a few ulp, or one subnormal step.
    /// </summary>
    [Fact]
    public void ExpSweepStaysWithinAFewUlpOfTheReference()
    {
        float[] logits = [0f, .. Enumerable.Range(0, 4000).Select(i => -30f - i * 0.02f), float.NegativeInfinity];
        CompareSweep("softmax", logits, SmallestNormal, (k, x) => k.Softmax(x), (k, x) => k.Softmax(x));
        float[] gates = [.. Enumerable.Range(0, 4001).Select(i => -110f + i * 0.05f), 0f, -0f, 1e-30f, -1e-30f, 200f, -200f];
        CompareSweep("silu", gates, SiluBelowOverflow, (k, x) => k.Silu(x, x), (k, x) => k.Silu(x, x));
    }

    // The reference exp (FixedExp) returns 0 below −87.34, where e^x leaves the normal range, and +∞
    // above 88.37; the device's exp still gives values there. So softmax may differ by up to the
    // smallest normal float, and SiLU of a gate below −88.37 (−0 on the host) by up to |g| / e^88.37.
    private const double SmallestNormal = 1.1754943508222875e-38;   // 2^−126
    private const double SiluBelowOverflow = 4e-37;                  // 88.73 / e^88.37 (below −88.73 e^−g overflows on the device too)

    private void CompareSweep(string what, float[] values, double slack, Action<ReferenceKernels, Tensor> onHost, Action<GpuKernels, DeviceTensor> onDevice)
    {
        var expected = new Tensor(1, values.Length, (float[])values.Clone());
        onHost(new ReferenceKernels(), expected);
        using var dx = DeviceTensor.Upload(sim.Device, values);
        onDevice(G, dx);
        var actual = dx.Download().Data;
        for (int i = 0; i < values.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected.Data[i]);
            Assert.True(error <= 5e-7 * Math.Abs(expected.Data[i]) + slack,
                $"{what} at input {values[i]:R} (element {i}): device {actual[i]:R}, reference {expected.Data[i]:R}");
        }
    }

    [Fact]
    public void EmbedGathersTheWidenedRows()
    {
        foreach (var type in new[] { DType.BF16, DType.F32 })
        {
            var table = Rand.Matrix(9, 13, 5, type);
            int[] ids = [4, 0, 8, 4];
            using var dTable = new DeviceWeights(sim.Device, table);
            using var dIds = new DeviceInts(sim.Device, 8);
            dIds.Set(ids, table.Rows, "token id");
            using var dy = new DeviceTensor(sim.Device, ids.Length, table.Cols + 3);   // zeroed; the rows land at column 2
            G.Embed(dTable, dIds, dy, dstCol: 2);
            var y = dy.Download();
            var row = new float[table.Cols + 3];
            for (int t = 0; t < ids.Length; t++)
            {
                table.ReadRow(ids[t], row.AsSpan(2, table.Cols));
                Assertions.BitwiseEqual(row, y.Row(t), $"embedding {type}, row {t} (token {ids[t]}) at column 2");
            }
        }
    }

    [Fact]
    public void CopyRowsPlacesRowsAtAnyRowAndColumn()
    {
        var src = Rand.Tensor(6, 4, 1);
        var dst = Rand.Tensor(5, 10, 2);
        using var dSrc = DeviceTensor.Upload(sim.Device, src);
        using var dDst = DeviceTensor.Upload(sim.Device, dst);
        G.CopyRows(dSrc, srcRow: 2, dDst, dstRow: 1, rows: 3, dstCol: 5);
        for (int r = 0; r < 3; r++) src.Row(2 + r).CopyTo(dst.Row(1 + r)[5..]);
        Assertions.BitwiseEqual(dst.Data, dDst.Download().Data, "rows 2..4 of src at rows 1..3, columns 5..8");
        Assert.Throws<ArgumentException>(() => G.CopyRows(dSrc, 0, dDst, 0, rows: 2, dstCol: 7));
    }

    [Fact]
    public void ARowListIsCopiedInOrderInOneLaunch()
    {
        var x = Rand.Tensor(6, 5, 4);
        using var dx = DeviceTensor.Upload(sim.Device, x);
        using var from = new DeviceInts(sim.Device, 3);
        using var to = new DeviceInts(sim.Device, 3);
        from.Set([2, 3, 5], x.Rows, "row");
        to.Set([1, 2, 3], x.Rows, "row");
        long launches = G.Launches;
        G.CopyRowList(dx, from, dx, to);
        Assert.Equal(1, G.Launches - launches);
        // In order: row 2 moves to 1 before row 3 overwrites row 2, as compacting a cache after a tree step needs.
        x.Row(2).CopyTo(x.Row(1));
        x.Row(3).CopyTo(x.Row(2));
        x.Row(5).CopyTo(x.Row(3));
        Assertions.BitwiseEqual(x.Data, dx.Download().Data, "rows 2, 3, 5 moved to 1, 2, 3 in order");
    }

    [Fact]
    public void SlicesReadAndWriteTheirOwnRows()
    {
        var x = Rand.Tensor(5, 8, 3);
        var w = Rand.Matrix(6, 8, 4, DType.BF16);
        using var dx = DeviceTensor.Upload(sim.Device, x);
        using var dw = new DeviceWeights(sim.Device, w);
        using var dy = new DeviceTensor(sim.Device, 5, 6);
        G.MatMul(dx.Slice(2, 2), dw, dy.Slice(1, 2));
        var expected = new Tensor(2, 6);
        new ReferenceKernels().MatMul(GpuChecks.Select(x, [2, 3]), w, expected);
        var y = dy.Download();
        Assert.All(y.Row(0).ToArray().Concat(y.Row(3).ToArray()).Concat(y.Row(4).ToArray()), value => Assert.Equal(0f, value));
        Assertions.Close(expected.Data, y.Data.AsSpan(6, 12), GpuChecks.Tolerance, "matmul of rows 2..3 into rows 1..2");
    }

    [Fact]
    public void BadShapesAndOutOfRangeIdsAreRefusedByName()
    {
        using var x = new DeviceTensor(sim.Device, 2, 8);
        using var w = new DeviceWeights(sim.Device, Rand.Matrix(3, 7, 1, DType.F32));
        using var y = new DeviceTensor(sim.Device, 2, 3);
        var error = Assert.Throws<ArgumentException>(() => G.MatMul(x, w, y));
        Assert.Contains("matmul shapes", error.Message);
        using var positions = new DeviceInts(sim.Device, 4);
        var bad = Assert.Throws<InputException>(() => positions.Set([0, 64], 64, "position"));
        Assert.Contains("position 64 is outside [0, 64)", bad.Message);
        using var mask = new DeviceMask(sim.Device, 2, 4);
        Assert.Throws<ArgumentException>(() => mask.Set(new AttentionMask(1, 4)));
    }
}
