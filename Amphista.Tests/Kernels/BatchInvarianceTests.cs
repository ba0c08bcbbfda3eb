using Amphista.Tensors;
using Amphista.Tensors.Kernels;
using Amphista.Tests.Support;

namespace Amphista.Tests.Kernels;

/// <summary>
/// The property that makes speculative decoding bitwise lossless: for every kernel and every
/// implementation, row r of a T-row call is bit-identical to a 1-row call on row r alone, and the
/// fast kernels give the same bits at 1, 2 or 3 threads.
/// </summary>
public class BatchInvarianceTests
{
    [Fact]
    public void MatMul() => Properties.Check(MatMulCase.Gen, c =>
    {
        var x = Rand.Tensor(c.T, c.D, c.Seed);
        var w = Rand.Matrix(c.O, c.D, c.Seed + 1, c.Type);
        CheckRows($"matmul {c}", c.T, c.O, (k, rows, y) => k.MatMul(Select(x, rows), w, y));
    });

    [Fact]
    public void RmsNorm() => Properties.Check(RowsCase.Gen, c =>
    {
        var x = Rand.Tensor(c.T, c.N, c.Seed, 3f);
        var weight = Rand.Tensor(1, c.N, c.Seed + 1).Data;
        CheckRows($"rmsnorm {c}", c.T, c.N, (k, rows, y) => k.RmsNorm(Select(x, rows), weight, 1e-6f, y));
    });

    [Fact]
    public void Rope() => Properties.Check(AttentionCase.Gen, c =>
    {
        var table = new RopeTable(c.HeadDim, 64, 10000.0);
        int[] positions = Enumerable.Range(0, c.T).Select(t => (t * 7 + c.Seed) % 64).ToArray();
        var x = Rand.Tensor(c.T, c.Heads * c.HeadDim, c.Seed);
        CheckRows($"rope {c}", c.T, x.Cols, (k, rows, y) =>
        {
            Select(x, rows).Data.CopyTo(y.Data, 0);
            k.Rope(y, rows.Select(r => positions[r]).ToArray(), table);
        });
    });

    [Fact]
    public void SwiGlu() => Properties.Check(RowsCase.Gen, c =>
    {
        var gate = Rand.Tensor(c.T, c.N, c.Seed, 4f);
        var up = Rand.Tensor(c.T, c.N, c.Seed + 1);
        CheckRows($"swiglu {c}", c.T, c.N, (k, rows, y) => k.SwiGlu(Select(gate, rows), Select(up, rows), y));
    });

    [Fact]
    public void Softmax() => Properties.Check(RowsCase.Gen, c =>
    {
        var x = Rand.Tensor(c.T, c.N, c.Seed, 20f);
        CheckRows($"softmax {c}", c.T, c.N, (k, rows, y) =>
        {
            Select(x, rows).Data.CopyTo(y.Data, 0);
            k.Softmax(y);
        });
    });

    [Fact]
    public void Attention() => Properties.Check(AttentionCase.Gen, c =>
    {
        var (q, kCache, vCache, mask) = c.Inputs();
        CheckRows($"attention {c}", c.T, q.Cols, (k, rows, y) =>
        {
            var sub = new AttentionMask(rows.Length, mask.Slots);
            for (int i = 0; i < rows.Length; i++)
                for (int s = 0; s < mask.Slots; s++) sub[i, s] = mask[rows[i], s];
            k.Attention(Select(q, rows), kCache, vCache, sub, c.HeadDim, y);
        });
    });

    [Fact]
    public void AddIsElementwise() => Properties.Check(RowsCase.Gen, c =>
    {
        var a = Rand.Tensor(c.T, c.N, c.Seed);
        var b = Rand.Tensor(c.T, c.N, c.Seed + 1);
        CheckRows($"add {c}", c.T, c.N, (k, rows, y) =>
        {
            Select(a, rows).Data.CopyTo(y.Data, 0);
            k.Add(y, Select(b, rows));
        });
    });

    /// <summary>run(kernels, rows, y) computes the selected rows into y [rows, cols].</summary>
    private static void CheckRows(string what, int rowCount, int cols, Action<IKernels, int[], Tensor> run)
    {
        int[] all = Enumerable.Range(0, rowCount).ToArray();
        Tensor? fastBatch = null;
        foreach (var kernels in Implementations.All)
        {
            var batch = new Tensor(rowCount, cols);
            run(kernels, all, batch);
            for (int r = 0; r < rowCount; r++)
            {
                var single = new Tensor(1, cols);
                run(kernels, [r], single);
                Assertions.BitwiseEqual(batch.Row(r), single.Row(0), $"{what}, {kernels.GetType().Name}, row {r} alone vs in a batch of {rowCount}");
            }
            if (kernels is CpuKernels cpu)
            {
                fastBatch ??= batch;
                Assertions.BitwiseEqual(fastBatch.Data, batch.Data, $"{what}: {cpu.Threads} threads vs 1 thread");
            }
        }
    }

    private static Tensor Select(Tensor x, int[] rows)
    {
        var y = new Tensor(rows.Length, x.Cols);
        for (int i = 0; i < rows.Length; i++) x.Row(rows[i]).CopyTo(y.Row(i));
        return y;
    }
}
