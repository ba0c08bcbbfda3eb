namespace Amphista.Tensors.Kernels;

/// <summary>
/// The specification of every kernel: plain loops, one multiply-add at a time, in index order.
/// Slow on purpose; the fast kernels are tested against these (llm.c's "algorithmic reference").
/// </summary>
public sealed class ReferenceKernels : IKernels
{
    public void MatMul(Tensor x, WeightMatrix w, Tensor y)
    {
        Shapes.CheckMatMul(x, w, y);
        for (int t = 0; t < x.Rows; t++)
            for (int o = 0; o < w.Rows; o++)
            {
                float sum = 0f;
                for (int d = 0; d < w.Cols; d++) sum += w[o, d] * x[t, d];
                y[t, o] = sum;
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
        for (int i = 0; i < x.Rows * x.Cols; i++) y.Data[i] = Silu(x.Data[i]);
    }

    public void RmsNorm(Tensor x, float[] weight, float eps, Tensor y)
    {
        Shapes.CheckRmsNorm(x, weight, y);
        for (int t = 0; t < x.Rows; t++)
        {
            float sumSquares = 0f;
            for (int d = 0; d < x.Cols; d++) sumSquares += x[t, d] * x[t, d];
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
            y.Data[i] = Silu(gate.Data[i]) * up.Data[i];
    }

    public void Softmax(Tensor x)
    {
        for (int t = 0; t < x.Rows; t++)
        {
            var row = x.Row(t);
            float max = float.NegativeInfinity;
            for (int i = 0; i < row.Length; i++) max = MathF.Max(max, row[i]);
            float sum = 0f;
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = MathF.Exp(row[i] - max);
                sum += row[i];
            }
            for (int i = 0; i < row.Length; i++) row[i] /= sum;
        }
    }

    public void Attention(Tensor q, Tensor k, Tensor v, AttentionMask mask, int headDim, Tensor y)
    {
        Shapes.CheckAttention(q, k, v, mask, headDim, y);
        int heads = q.Cols / headDim, group = heads / (k.Cols / headDim);
        float scale = 1f / MathF.Sqrt(headDim);
        var scores = new float[mask.Slots];   // [S]
        for (int t = 0; t < q.Rows; t++)
            for (int h = 0; h < heads; h++)
            {
                int qOff = h * headDim, kvOff = h / group * headDim;
                float max = float.NegativeInfinity;
                for (int s = 0; s < mask.Slots; s++)
                {
                    if (!mask[t, s]) continue;
                    float dot = 0f;
                    for (int i = 0; i < headDim; i++) dot += q[t, qOff + i] * k[s, kvOff + i];
                    scores[s] = dot * scale;
                    max = MathF.Max(max, scores[s]);
                }
                float sum = 0f;
                for (int s = 0; s < mask.Slots; s++)
                {
                    if (!mask[t, s]) continue;
                    scores[s] = MathF.Exp(scores[s] - max);
                    sum += scores[s];
                }
                for (int i = 0; i < headDim; i++)
                {
                    float acc = 0f;
                    for (int s = 0; s < mask.Slots; s++)
                        if (mask[t, s]) acc += scores[s] / sum * v[s, kvOff + i];
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

    /// <summary>SiLU(g) = g / (1 + e^-g) with the library's scalar exp.</summary>
    private static float Silu(float g) => g / (1f + MathF.Exp(-g));
}
