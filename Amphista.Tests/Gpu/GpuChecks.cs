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

    public static void MatMul(GpuKernels g, MatMulCase c)
    {
        var x = Rand.Tensor(c.T, c.D, c.Seed);
        var w = Rand.Matrix(c.O, c.D, c.Seed + 1, c.Type);
        var expected = new Tensor(c.T, c.O);
        Reference.MatMul(x, w, expected);
        using var dw = new DeviceWeights(g.Device, w);
        BatchThenRows(g, $"matmul {c}", expected, rows =>
        {
            using var dx = DeviceTensor.Upload(g.Device, Select(x, rows));
            using var dy = new DeviceTensor(g.Device, rows.Length, c.O);
            g.MatMul(dx, dw, dy);
            return dy.Download();
        });
    }

    public static void RmsNorm(GpuKernels g, RowsCase c)
    {
        var x = Rand.Tensor(c.T, c.N, c.Seed, 3f);
        var weight = Rand.Tensor(1, c.N, c.Seed + 1).Data;
        var expected = new Tensor(c.T, c.N);
        Reference.RmsNorm(x, weight, 1e-6f, expected);
        using var dWeight = DeviceTensor.Upload(g.Device, weight);
        BatchThenRows(g, $"rmsnorm {c}", expected, rows =>
        {
            using var dx = DeviceTensor.Upload(g.Device, Select(x, rows));
            g.RmsNorm(dx, dWeight, 1e-6f, dx);   // in place, as a decoder layer may call it
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

    public static Tensor Select(Tensor x, int[] rows)
    {
        var y = new Tensor(rows.Length, x.Cols);
        for (int i = 0; i < rows.Length; i++) x.Row(rows[i]).CopyTo(y.Row(i));
        return y;
    }

    private static Tensor Copy(Tensor x) => new(x.Rows, x.Cols, (float[])x.Data.Clone());
}
