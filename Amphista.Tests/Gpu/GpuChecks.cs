using Amphista.Tensors;
using Amphista.Tensors.Gpu;
using Amphista.Tensors.Kernels;
using Amphista.Tests.Kernels;
using Amphista.Tests.Support;

namespace Amphista.Tests.Gpu;

/// <summary>
/// What every GPU device must satisfy, for one random case: each kernel agrees with <see cref="ReferenceKernels"/>
/// within <see cref="Tolerance"/>, and row r of a T-row call is bit-identical to a 1-row call on row r alone.
/// The simulator tests and the CUDA tests run these same checks.
/// </summary>
public static class GpuChecks
{
    /// <summary>Relative to 1 + |expected|: the GPU sums in its own order and has its own exp.</summary>
    public const double Tolerance = 1e-4;

    private static readonly ReferenceKernels Reference = new();

    private const float Eps = 1e-6f;

    public static void MatMul(GpuKernels g, MatMulCase c) => Product(g, c, $"matmul {c}", Rand.Tensor(c.T, c.D, c.Seed));

    /// <summary>
    /// Products over up to 64 tokens (the tile kernel) against the one-token kernel, row by row and bit for bit, and
    /// close to the reference. (With RMSNorm fused in, the tile kernel gives the unfused kernels' bits:
    /// <see cref="FusedStepsGiveTheUnfusedBits"/>.)
    /// </summary>
    public static void MatMulOverTokens(GpuKernels g, MatMulCase c) =>
        Product(g, c, $"matmul over tokens {c}", Rand.Tensor(c.T, c.D, c.Seed, 2f));

    /// <summary>x [T, D] · W [O, D]ᵀ on the device, the whole batch and then row by row, against the reference.</summary>
    private static void Product(GpuKernels g, MatMulCase c, string what, Tensor x)
    {
        var w = Rand.Matrix(c.O, c.D, c.Seed + 1, c.Type);
        var expected = new Tensor(c.T, c.O);
        Reference.MatMul(x, w, expected);
        using var dw = new DeviceWeights(g.Device, w);
        BatchThenRows(g, what, expected, rows =>
        {
            using var dx = DeviceTensor.Upload(g.Device, Select(x, rows));
            using var dy = new DeviceTensor(g.Device, rows.Length, c.O);
            g.MatMul(dx, dw, dy);
            return dy.Download();
        });
    }

    /// <summary>
    /// A decoder layer's fused steps give the bits of the kernels they fuse, each in one launch (a stack of mixed
    /// weight types in one per type): RMSNorm into the q, k, v products, into the gate and up products with SwiGLU,
    /// a product with the residual add, RoPE with the cache write.
    /// </summary>
    public static void FusedStepsGiveTheUnfusedBits(GpuKernels g, LayerCase c)
    {
        var dev = g.Device;
        using var x = DeviceTensor.Upload(dev, Rand.Tensor(c.T, c.D, c.Seed, 2f));
        using var gain = DeviceTensor.Upload(dev, Rand.Tensor(1, c.D, c.Seed + 1).Data);
        using var wq = new DeviceWeights(dev, Rand.Matrix(c.QCols, c.D, c.Seed + 2, c.Type));
        using var wk = new DeviceWeights(dev, Rand.Matrix(c.KvCols, c.D, c.Seed + 3, c.Type));
        using var wv = new DeviceWeights(dev, Rand.Matrix(c.KvCols, c.D, c.Seed + 4, c.ValueType));
        using var h = new DeviceTensor(dev, c.T, c.D);
        DeviceTensor[] plain = [new(dev, c.T, c.QCols), new(dev, c.T, c.KvCols), new(dev, c.T, c.KvCols)];
        DeviceTensor[] fused = [new(dev, c.T, c.QCols), new(dev, c.T, c.KvCols), new(dev, c.T, c.KvCols)];
        g.RmsNorm(x, gain, Eps, h);
        g.MatMul(h, wq, plain[0]);
        g.MatMul(h, wk, plain[1]);
        g.MatMul(h, wv, plain[2]);
        Launches(g, c.Type == c.ValueType ? 1 : 2, $"rmsnorm into q, k, v {c}", () => g.NormMatMul(x, gain, Eps, [wq, wk, wv], fused));
        for (int i = 0; i < 3; i++) SameBits(plain[i], fused[i], $"rmsnorm into q, k, v, output {i}, {c}");

        using var gate = new DeviceWeights(dev, Rand.Matrix(c.F, c.D, c.Seed + 5, c.Type));
        using var up = new DeviceWeights(dev, Rand.Matrix(c.F, c.D, c.Seed + 6, c.Type));
        using var g1 = new DeviceTensor(dev, c.T, c.F);
        using var u1 = new DeviceTensor(dev, c.T, c.F);
        using var g2 = new DeviceTensor(dev, c.T, c.F);
        g.MatMul(h, gate, g1);
        g.MatMul(h, up, u1);
        g.SwiGlu(g1, u1, g1);
        Launches(g, 1, $"rmsnorm into gate and up with swiglu {c}", () => g.NormSwiGlu(x, gain, Eps, gate, up, g2));
        SameBits(g1, g2, $"rmsnorm into gate and up with swiglu {c}");

        using var down = new DeviceWeights(dev, Rand.Matrix(c.D, c.F, c.Seed + 7, c.Type));
        using var delta = new DeviceTensor(dev, c.T, c.D);
        using var residual = DeviceTensor.Upload(dev, x.Download());
        g.MatMul(g1, down, delta);
        g.Add(x, delta);
        Launches(g, 1, $"matmul with the residual add {c}", () => g.MatMulAdd(g1, down, residual));
        SameBits(x, residual, $"matmul with the residual add {c}");

        var table = new RopeTable(c.HeadDim, 64, 10000.0);
        using var rope = new DeviceRope(dev, table);
        using var positions = new DeviceInts(dev, c.T);
        positions.Set([.. Enumerable.Range(0, c.T).Select(t => (t * 5 + c.Seed) % 64)], table.MaxPositions, "position");
        int slot = c.Seed % 4;
        DeviceTensor[] caches = [.. Enumerable.Range(0, 4).Select(i => DeviceTensor.Upload(dev, Rand.Tensor(c.T + 5, c.KvCols, c.Seed + 8 + i % 2)))];
        g.Rope(plain[0], positions, rope);
        g.Rope(plain[1], positions, rope);
        g.CopyRows(plain[1], 0, caches[0], slot, c.T);
        g.CopyRows(plain[2], 0, caches[1], slot, c.T);
        Launches(g, 1, $"rope with the cache write {c}", () => g.RopeAndCache(fused[0], fused[1], fused[2], positions, rope, caches[2], caches[3], slot));
        SameBits(plain[0], fused[0], $"rope of q with the cache write {c}");
        SameBits(caches[0], caches[2], $"rope of k into the cache {c}");
        SameBits(caches[1], caches[3], $"v into the cache {c}");
        foreach (var t in (DeviceTensor[])[.. plain, .. fused, .. caches]) t.Dispose();
    }

    public static void RmsNorm(GpuKernels g, RowsCase c)
    {
        var x = Rand.Tensor(c.T, c.N, c.Seed, 3f);
        var weight = Rand.Tensor(1, c.N, c.Seed + 1).Data;
        var expected = new Tensor(c.T, c.N);
        Reference.RmsNorm(x, weight, Eps, expected);
        using var dWeight = DeviceTensor.Upload(g.Device, weight);
        BatchThenRows(g, $"rmsnorm {c}", expected, rows =>
        {
            using var dx = DeviceTensor.Upload(g.Device, Select(x, rows));
            g.RmsNorm(dx, dWeight, Eps, dx);   // in place, as a decoder layer may call it
            return dx.Download();
        });
    }

    public static void Softmax(GpuKernels g, RowsCase c)
    {
        // Logits far above 88 overflow exp unless the maximum is subtracted first.
        var x = Rand.Tensor(c.T, c.N, c.Seed, 50f);
        for (int i = 0; i < x.Data.Length; i += 3) x.Data[i] += 200f;
        var expected = Copy(x);
        Reference.Softmax(expected);
        BatchThenRows(g, $"softmax {c}", expected, rows =>
        {
            using var dx = DeviceTensor.Upload(g.Device, Select(x, rows));
            g.Softmax(dx);
            return dx.Download();
        });
    }

    public static void SwiGluAndSilu(GpuKernels g, RowsCase c)
    {
        var gate = Rand.Tensor(c.T, c.N, c.Seed, 4f);
        var up = Rand.Tensor(c.T, c.N, c.Seed + 1);
        var expected = new Tensor(c.T, c.N);
        Reference.SwiGlu(gate, up, expected);
        BatchThenRows(g, $"swiglu {c}", expected, rows =>
        {
            using var dg = DeviceTensor.Upload(g.Device, Select(gate, rows));
            using var du = DeviceTensor.Upload(g.Device, Select(up, rows));
            using var dy = new DeviceTensor(g.Device, rows.Length, c.N);
            g.SwiGlu(dg, du, dy);
            return dy.Download();
        });
        Reference.Silu(gate, expected);
        BatchThenRows(g, $"silu {c}", expected, rows =>
        {
            using var dg = DeviceTensor.Upload(g.Device, Select(gate, rows));
            g.Silu(dg, dg);
            return dg.Download();
        });
    }

    /// <summary>Add, AddBias and RoPE round exactly like the reference: bit-identical, not just close.</summary>
    public static void ExactElementwise(GpuKernels g, AttentionCase c)
    {
        int cols = c.Heads * c.HeadDim;
        var x = Rand.Tensor(c.T, cols, c.Seed);
        var delta = Rand.Tensor(c.T, cols, c.Seed + 1);
        var bias = Rand.Tensor(1, cols, c.Seed + 2).Data;
        var table = new RopeTable(c.HeadDim, 64, 10000.0);
        int[] positions = Enumerable.Range(0, c.T).Select(t => (t * 7 + c.Seed) % 64).ToArray();
        var expected = Copy(x);
        Reference.Add(expected, delta);
        Reference.AddBias(expected, bias);
        Reference.Rope(expected, positions, table);

        using var dx = DeviceTensor.Upload(g.Device, x);
        using var dDelta = DeviceTensor.Upload(g.Device, delta);
        using var dBias = DeviceTensor.Upload(g.Device, bias);
        using var dTable = new DeviceRope(g.Device, table);
        using var dPositions = new DeviceInts(g.Device, c.T);
        dPositions.Set(positions, table.MaxPositions, "position");
        g.Add(dx, dDelta);
        g.AddBias(dx, dBias);
        g.Rope(dx, dPositions, dTable);
        Assertions.BitwiseEqual(expected.Data, dx.Download().Data, $"add, bias, rope {c}");
    }

    public static void Attention(GpuKernels g, AttentionCase c)
    {
        var (q, kCache, vCache, mask) = c.Inputs();
        Attention(g, c, q, kCache, vCache, mask);
    }

    /// <summary>
    /// Attention over caches of several 32-slot parts, each row hiding a run of 40 slots (so whole parts see nothing),
    /// one slot of them shown again: the merge of the parts' partial results skips empty parts, and a row's bits do
    /// not depend on how many rows the call holds.
    /// </summary>
    public static void AttentionAcrossParts(GpuKernels g, AttentionCase c)
    {
        var (q, kCache, vCache, mask) = c.Inputs();
        var rng = new Random(c.Seed + 1);
        for (int t = 0; t < c.T; t++)
        {
            int from = rng.Next(c.S);
            for (int s = from; s < Math.Min(c.S, from + 40); s++) mask[t, s] = false;
            mask[t, rng.Next(c.S)] = true;
        }
        Attention(g, c, q, kCache, vCache, mask);
    }

    private static void Attention(GpuKernels g, AttentionCase c, Tensor q, Tensor kCache, Tensor vCache, AttentionMask mask)
    {
        var expected = new Tensor(c.T, q.Cols);
        Reference.Attention(q, kCache, vCache, mask, c.HeadDim, expected);
        using var dk = DeviceTensor.Upload(g.Device, kCache);
        using var dv = DeviceTensor.Upload(g.Device, vCache);
        using var dMask = new DeviceMask(g.Device, c.T, c.S);
        BatchThenRows(g, $"attention {c}", expected, rows =>
        {
            var sub = new AttentionMask(rows.Length, mask.Slots);
            for (int i = 0; i < rows.Length; i++)
                for (int s = 0; s < mask.Slots; s++) sub[i, s] = mask[rows[i], s];
            dMask.Set(sub);
            using var dq = DeviceTensor.Upload(g.Device, Select(q, rows));
            using var dy = new DeviceTensor(g.Device, rows.Length, q.Cols);
            g.Attention(dq, dk, dv, dMask, c.HeadDim, dy);
            return dy.Download();
        });
    }

    /// <summary>Ties planted at the maximum and elsewhere: top-k and argmax pick exactly what the reference picks.</summary>
    public static void Selection(GpuKernels g, RowsCase c)
    {
        var x = Rand.Tensor(1, c.N, c.Seed).Data;
        var rng = new Random(c.Seed);
        float max = x.Max();
        for (int i = 0; i < 3; i++) x[rng.Next(c.N)] = max;
        for (int i = 0; i < 3; i++) x[rng.Next(c.N)] = x[rng.Next(c.N)];
        using var dx = DeviceTensor.Upload(g.Device, x);
        Assertions.That(Reference.Argmax(x) == g.Argmax(dx), $"argmax {c}: device {g.Argmax(dx)}, reference {Reference.Argmax(x)}");
        int k = Math.Min(c.N, 1 + c.Seed % 6);
        int[] expected = new int[k], actual = new int[k];
        Reference.TopK(x, expected);
        g.TopK(dx, actual);
        Assertions.That(expected.SequenceEqual(actual),
            $"top-{k} {c}: device [{string.Join(',', actual)}], reference [{string.Join(',', expected)}]");
    }

    /// <summary>
    /// expected [T, ·] is the reference's answer for all T rows; run(rows) computes the selected rows on the
    /// device. The T-row call must be close to the reference and equal, bit for bit, to each row run alone.
    /// </summary>
    private static void BatchThenRows(GpuKernels g, string what, Tensor expected, Func<int[], Tensor> run)
    {
        var batch = run(Enumerable.Range(0, expected.Rows).ToArray());
        Assertions.Close(expected, batch, Tolerance, $"{what} on {g.Device}");
        for (int r = 0; r < expected.Rows; r++)
            Assertions.BitwiseEqual(batch.Row(r), run([r]).Row(0),
                $"{what} on {g.Device}: row {r} alone vs in a batch of {expected.Rows}");
    }

    /// <summary>run() queues exactly the given number of kernels.</summary>
    private static void Launches(GpuKernels g, int expected, string what, Action run)
    {
        long before = g.Launches;
        run();
        Assertions.That(g.Launches - before == expected, $"{what}: {g.Launches - before} launches, expected {expected}");
    }

    private static void SameBits(DeviceTensor expected, DeviceTensor actual, string what) =>
        Assertions.BitwiseEqual(expected.Download().Data, actual.Download().Data, $"{what} on {expected.Device}");

    public static Tensor Select(Tensor x, int[] rows)
    {
        var y = new Tensor(rows.Length, x.Cols);
        for (int i = 0; i < rows.Length; i++) x.Row(rows[i]).CopyTo(y.Row(i));
        return y;
    }

    private static Tensor Copy(Tensor x) => new(x.Rows, x.Cols, (float[])x.Data.Clone());
}
