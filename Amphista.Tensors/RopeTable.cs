namespace Amphista.Tensors;

/// <summary>
/// Rotary position embedding tables (RoFormer; Llama's "rotate_half" pairing, where dimension i
/// pairs with i + Dh/2). inv_freq_i = theta^(-2i/Dh), angle = position * inv_freq_i.
/// Cos, Sin [P, Dh/2]: computed once in double and rounded, so every call at a position reads the
/// same bits whatever the batch.
/// </summary>
public sealed class RopeTable
{
    public int HeadDim { get; }        // Dh
    public int MaxPositions { get; }   // P
    public float[] Cos { get; }        // [P, Dh/2]
    public float[] Sin { get; }        // [P, Dh/2]

    public RopeTable(int headDim, int maxPositions, double theta)
    {
        if (headDim <= 0 || headDim % 2 != 0) throw new ArgumentException($"RoPE needs an even head_dim, got {headDim}");
        HeadDim = headDim;
        MaxPositions = maxPositions;
        int half = headDim / 2;
        Cos = new float[maxPositions * half];
        Sin = new float[maxPositions * half];
        for (int p = 0; p < maxPositions; p++)
        {
            for (int i = 0; i < half; i++)
            {
                double invFreq = 1.0 / Math.Pow(theta, 2.0 * i / headDim);
                double angle = p * invFreq;
                Cos[p * half + i] = (float)Math.Cos(angle);
                Sin[p * half + i] = (float)Math.Sin(angle);
            }
        }
    }
}
