using System.Numerics.Tensors;

namespace Amphista.Tensors.Kernels;

/// <summary>
/// Fast CPU kernels: vector inner loops at one width (<see cref="VectorWidth"/>: the widest this
/// machine accelerates unless told otherwise) and threads across independent outputs only (output
/// features, rows, heads), never inside a sum. Each output is summed in <see cref="ReductionOrder"/>
/// whatever T, the width or the thread count, so results are batch-invariant and equal the reference
/// kernels bit for bit.
/// </summary>
public sealed class CpuKernels(int threads, VectorWidth? width = null) : IKernels
{
    private const int MinWeightsPerThread = 32 * 1024;

    private readonly WorkerPool pool = new(Math.Max(1, threads));
    private readonly object matMulGate = new(), attentionGate = new();

    public int Threads { get; } = Math.Max(1, threads);

    /// <summary>The vector width these kernels run at (the same bits at every width; SPEC §2).</summary>
    public VectorWidth Width { get; } = width ?? VectorWidth.Widest;

    private readonly VectorKernels vector = VectorKernels.For(width ?? VectorWidth.Widest);

    public void MatMul(Tensor x, WeightMatrix w, Tensor y)
    {
        Shapes.CheckMatMul(x, w, y);
        // Threads split the output features; each weight row is read once for all T rows. A thread's
        // share must be worth waking it for: a call costs a few microseconds to hand out, as long as
        // a product of some 32 K weights (a drafter's small layers run faster on one thread).
        lock (matMulGate) ForChunks(w.Rows, minPerThread: Math.Max(16, MinWeightsPerThread / w.Cols), vector.MatMul(x, w, y));
    }

    public void Add(Tensor x, Tensor delta)
    {
        Shapes.CheckSame(x, delta, x);
        TensorPrimitives.Add(x.Span, delta.Span, x.Span);
    }

    public void AddBias(Tensor x, float[] bias)
    {
        Shapes.CheckBias(x, bias);
        for (int t = 0; t < x.Rows; t++) TensorPrimitives.Add(x.Row(t), bias, x.Row(t));
    }

    public void Silu(Tensor x, Tensor y)
    {
        Shapes.CheckSame(x, y, y);
        vector.Silu(x.Span, y.Span);
    }

    public void RmsNorm(Tensor x, float[] weight, float eps, Tensor y)
    {
        Shapes.CheckRmsNorm(x, weight, y);
        for (int t = 0; t < x.Rows; t++)
        {
            float scale = 1f / MathF.Sqrt(vector.Dot(x.Row(t), x.Row(t)) / x.Cols + eps);
            TensorPrimitives.Multiply(x.Row(t), scale, y.Row(t));
            TensorPrimitives.Multiply(y.Row(t), weight, y.Row(t));
        }
    }

    public void Rope(Tensor x, ReadOnlySpan<int> positions, RopeTable table)
    {
        Shapes.CheckRope(x, positions, table);
        int half = table.HeadDim / 2;
        for (int t = 0; t < x.Rows; t++)
        {
            var cos = table.Cos.AsSpan(positions[t] * half, half);
            var sin = table.Sin.AsSpan(positions[t] * half, half);
            for (int head = 0; head < x.Cols / table.HeadDim; head++)
            {
                var lower = x.Row(t).Slice(head * table.HeadDim, half);
                var upper = x.Row(t).Slice(head * table.HeadDim + half, half);
                vector.Rotate(lower, upper, cos, sin);
            }
        }
    }

    public void SwiGlu(Tensor gate, Tensor up, Tensor y)
    {
        Shapes.CheckSame(gate, up, y);
        vector.SwiGlu(gate.Span, up.Span, y.Span);
    }

    public void Softmax(Tensor x)
    {
        for (int t = 0; t < x.Rows; t++)
        {
            var row = x.Row(t);
            float max = TensorPrimitives.Max(row);
            vector.ExpShifted(row, max);
            TensorPrimitives.Divide(row, vector.Sum(row), row);
        }
    }

    public void Attention(Tensor q, Tensor k, Tensor v, AttentionMask mask, int headDim, Tensor y)
    {
        Shapes.CheckAttention(q, k, v, mask, headDim, y);
        lock (attentionGate) ForChunks(q.Cols / headDim, minPerThread: 1, vector.Attention(q, k, v, mask, headDim, y));
    }

    public int Argmax(ReadOnlySpan<float> x)
    {
        if (x.IsEmpty) throw new ArgumentException("argmax of an empty vector");
        float max = TensorPrimitives.Max(x);
        // Max propagates NaN; the reference loop's answer is the specification in that case.
        return float.IsNaN(max) ? new ReferenceKernels().Argmax(x) : x.IndexOf(max);
    }

    public void TopK(ReadOnlySpan<float> x, Span<int> indices)
    {
        Shapes.CheckTopK(x, indices);
        if (float.IsNaN(TensorPrimitives.Max(x)))
        {
            new ReferenceKernels().TopK(x, indices);
            return;
        }
        // One pass keeping the k best sorted by (value descending, index ascending): a later
        // index enters only when strictly larger, so earlier indices win ties as in the reference.
        int k = indices.Length, kept = 0;
        Span<float> values = k <= 64 ? stackalloc float[k] : new float[k];
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            if (kept == k && v <= values[k - 1]) continue;
            int at = Math.Min(kept, k - 1);
            while (at > 0 && values[at - 1] < v)
            {
                values[at] = values[at - 1];
                indices[at] = indices[at - 1];
                at--;
            }
            values[at] = v;
            indices[at] = i;
            if (kept < k) kept++;
        }
    }

    /// <summary>Runs body over [0, count) split across threads; how work maps to threads never matters.</summary>
    private void ForChunks(int count, int minPerThread, IPartitioned body)
    {
        if (Threads == 1 || count < 2 * minPerThread)
        {
            body.Run(0, count);
            return;
        }
        pool.For(count, body);
    }
}
