namespace Amphista.Tensors;

/// <summary>
/// Rotary position embedding tables (RoFormer; Llama's "rotate_half" pairing, where dimension i
/// pairs with i + Dh/2). inv_freq_i = theta^(-2i/Dh), angle = position * inv_freq_i.
/// Cos, Sin [P, Dh/2]: computed once in double and rounded, so every call at a position reads the
/// same bits whatever the batch; computed at first use rather than when a model is loaded, so what a
/// config declares costs memory only once the model runs.
/// </summary>
public sealed class RopeTable
{
    private readonly Lazy<(float[] Cos, float[] Sin)> tables;

    public int HeadDim { get; }        // Dh
    public int MaxPositions { get; }   // P
    public float[] Cos => tables.Value.Cos;   // [P, Dh/2]
    public float[] Sin => tables.Value.Sin;   // [P, Dh/2]

    public RopeTable(int headDim, int maxPositions, double theta)
    {
        if (headDim <= 0 || headDim % 2 != 0) throw new ArgumentException($"RoPE needs an even head_dim, got {headDim}");
        if ((long)maxPositions * (headDim / 2) > Array.MaxLength)
            throw new ArgumentException($"a RoPE table of {maxPositions} positions × {headDim / 2} is larger than an array holds");
        HeadDim = headDim;
        MaxPositions = maxPositions;
        tables = new(() => Compute(headDim, maxPositions, theta));
    }

    private static (float[] Cos, float[] Sin) Compute(int headDim, int maxPositions, double theta)
    {
        int half = headDim / 2;
        var cos = new float[maxPositions * half];
        var sin = new float[maxPositions * half];
        for (int p = 0; p < maxPositions; p++)
        {
            for (int i = 0; i < half; i++)
            {
                double invFreq = 1.0 / Math.Pow(theta, 2.0 * i / headDim);
                double angle = p * invFreq;
                cos[p * half + i] = (float)Math.Cos(angle);
                sin[p * half + i] = (float)Math.Sin(angle);
            }
        }
        return (cos, sin);
    }
}
