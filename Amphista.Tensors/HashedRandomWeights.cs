namespace Amphista.Tensors;

/// <summary>
/// Random parameters fast enough for a 7 B-parameter model: element i of the k-th tensor drawn is a
/// hash of (seed, k, i) (<see cref="HashedNormals"/>), not a step of a sequential generator, so rows
/// are filled by several threads at once and the bits never depend on the thread count.
/// </summary>
public sealed class HashedRandomWeights : IRandomWeights
{
    private const float GainStd = 0.05f;

    private readonly int seed;
    private readonly DType type;
    private readonly int threads;
    private int tensorsDrawn;

    public HashedRandomWeights(int seed, DType type, int threads)
    {
        if (type is not (DType.F32 or DType.BF16))
            throw new ArgumentException($"random weights are f32 or bf16, not {type}", nameof(type));
        this.seed = seed;
        this.type = type;
        this.threads = Math.Max(1, threads);
    }

    public WeightMatrix Matrix(int rows, int cols, float std)
    {
        ulong key = NextTensorKey();
        if (type == DType.F32)
        {
            var data = GC.AllocateUninitializedArray<float>(checked(rows * cols));     // [rows, cols]
            FillRows(rows, cols, (first, end) => HashedNormals.Fill(data.AsSpan(first, end - first), key, first, std));
            return WeightMatrix.FromF32(rows, cols, data);
        }
        var bits = GC.AllocateUninitializedArray<ushort>(checked(rows * cols));        // [rows, cols] bf16
        FillRows(rows, cols, (first, end) => HashedNormals.FillBF16(bits.AsSpan(first, end - first), key, first, std));
        return WeightMatrix.FromBF16(rows, cols, bits);
    }

    /// <summary>Gains 1 + 0.05·z: near 1, as trained Llama norms mostly are.</summary>
    public float[] Gains(int n)
    {
        var gains = new float[n];
        HashedNormals.Fill(gains, NextTensorKey(), 0, GainStd);
        for (int i = 0; i < n; i++) gains[i] += 1f;
        return gains;
    }

    /// <summary>Tensors are numbered in the order they are drawn, so a model's layout fixes every key.</summary>
    private ulong NextTensorKey() => HashedNormals.TensorKey(seed, tensorsDrawn++);

    /// <summary>Runs fill(firstElement, endElement) over whole-row ranges, one contiguous range per thread.</summary>
    private void FillRows(int rows, int cols, Action<int, int> fill)
    {
        int parts = Math.Min(threads, rows);
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
        {
            long firstRow = (long)rows * part / parts, endRow = (long)rows * (part + 1) / parts;
            fill((int)(firstRow * cols), (int)(endRow * cols));
        });
    }
}
