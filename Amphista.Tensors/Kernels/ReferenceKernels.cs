namespace Amphista.Tensors.Kernels;

/// <summary>
/// The specification of every kernel: plain loops, every sum in <see cref="ReductionOrder"/>, every
/// exponential by <see cref="FixedExp"/>'s scalar arithmetic. Slow on purpose; the fast kernels are
/// tested against these bit for bit at every vector width (llm.c's "algorithmic reference").
/// </summary>
public sealed class ReferenceKernels : IKernels
{
    public void MatMul(Tensor x, WeightMatrix w, Tensor y)
    {
        Shapes.CheckMatMul(x, w, y);
        var row = new float[w.Cols];   // [D] weight row o, widened to float32
        for (int o = 0; o < w.Rows; o++)
        {
            w.ReadRow(o, row);
            for (int t = 0; t < x.Rows; t++) y[t, o] = ReductionOrder.Dot(x.Row(t), row);
        }
    }

    public void Add(Tensor x, Tensor delta)
    {
        Shapes.CheckSame(x, delta, x);
        for (int i = 0; i < x.Rows * x.Cols; i++) x.Data[i] += delta.Data[i];
    }

    public void AddBias(Tensor x, float[] bias)
    {
        Shapes.CheckBias(x, bias);
        for (int t = 0; t < x.Rows; t++)
            for (int i = 0; i < x.Cols; i++) x[t, i] += bias[i];
    }

    public void Silu(Tensor x, Tensor y)
    {
        Shapes.CheckSame(x, y, y);
        for (int i = 0; i < x.Rows * x.Cols; i++) y.Data[i] = FixedExp.Silu(x.Data[i]);
    }

    public void RmsNorm(Tensor x, float[] weight, float eps, Tensor y)
    {
        Shapes.CheckRmsNorm(x, weight, y);
        for (int t = 0; t < x.Rows; t++)
        {
            float sumSquares = ReductionOrder.Dot(x.Row(t), x.Row(t));
            float scale = 1f / MathF.Sqrt(sumSquares / x.Cols + eps);
            for (int d = 0; d < x.Cols; d++) y[t, d] = weight[d] * (x[t, d] * scale);
        }
    }

    public void Rope(Tensor x, ReadOnlySpan<int> positions, RopeTable table)
    {
        Shapes.CheckRope(x, positions, table);
        int half = table.HeadDim / 2;
        for (int t = 0; t < x.Rows; t++)
            for (int head = 0; head < x.Cols / table.HeadDim; head++)
                for (int i = 0; i < half; i++)
                {
                    int a = t * x.Cols + head * table.HeadDim + i, b = a + half;
                    float cos = table.Cos[positions[t] * half + i], sin = table.Sin[positions[t] * half + i];
                    float x1 = x.Data[a], x2 = x.Data[b];
                    x.Data[a] = x1 * cos - x2 * sin;
                    x.Data[b] = x2 * cos + x1 * sin;
                }
    }

    public void SwiGlu(Tensor gate, Tensor up, Tensor y)
    {
        Shapes.CheckSame(gate, up, y);
        for (int i = 0; i < gate.Rows * gate.Cols; i++)
            y.Data[i] = FixedExp.Silu(gate.Data[i]) * up.Data[i];
    }

    public void Softmax(Tensor x)
    {
        for (int t = 0; t < x.Rows; t++)
        {
            var row = x.Row(t);
            float max = float.NegativeInfinity;
            for (int i = 0; i < row.Length; i++) max = MathF.Max(max, row[i]);
            for (int i = 0; i < row.Length; i++) row[i] = FixedExp.Exp(row[i] - max);
            float sum = ReductionOrder.Sum(row);
            for (int i = 0; i < row.Length; i++) row[i] /= sum;
        }
    }

    public void Attention(Tensor q, Tensor k, Tensor v, AttentionMask mask, int headDim, Tensor y)
    {
        Shapes.CheckAttention(q, k, v, mask, headDim, y);
        int heads = q.Cols / headDim, group = heads / (k.Cols / headDim);
        float scale = 1f / MathF.Sqrt(headDim);
        var scores = new float[mask.Slots];   // [S] the visible slots' scores, in slot order
        for (int t = 0; t < q.Rows; t++)
            for (int h = 0; h < heads; h++)
            {
                int qOff = h * headDim, kvOff = h / group * headDim, count = 0;
                var query = q.Row(t).Slice(qOff, headDim);
                float max = float.NegativeInfinity;
                for (int s = 0; s < mask.Slots; s++)
                {
                    if (!mask[t, s]) continue;
                    scores[count] = ReductionOrder.Dot(query, k.Row(s).Slice(kvOff, headDim)) * scale;
                    max = MathF.Max(max, scores[count++]);
                }
                for (int j = 0; j < count; j++) scores[j] = FixedExp.Exp(scores[j] - max);
                float sum = ReductionOrder.Sum(scores.AsSpan(0, count));
                for (int i = 0; i < headDim; i++)
                {
                    float acc = 0f;
                    for (int s = 0, j = 0; s < mask.Slots; s++)
                        if (mask[t, s]) acc = MathF.FusedMultiplyAdd(scores[j++] / sum, v[s, kvOff + i], acc);
                    y[t, qOff + i] = acc;
                }
            }
    }

    public int Argmax(ReadOnlySpan<float> x)
    {
        if (x.IsEmpty) throw new ArgumentException("argmax of an empty vector");
        int best = 0;
        for (int i = 1; i < x.Length; i++)
            if (x[i] > x[best]) best = i;
        return best;
    }

    public void TopK(ReadOnlySpan<float> x, Span<int> indices)
    {
        Shapes.CheckTopK(x, indices);
        // Selection: the j-th pick is the largest value not yet picked, lowest index on ties.
        var taken = new bool[x.Length];
        for (int j = 0; j < indices.Length; j++)
        {
            int best = -1;
            for (int i = 0; i < x.Length; i++)
                if (!taken[i] && (best < 0 || x[i] > x[best])) best = i;
            taken[best] = true;
            indices[j] = best;
        }
    }
}
