namespace Amphista.Tensors;

/// <summary>Seeded random parameters: the same seed always yields the same bits.</summary>
public sealed class RandomWeights(int seed, DType type = DType.F32) : IRandomWeights
{
    private readonly Random rng = new(seed);

    /// <summary>A standard normal sample (Box-Muller), deterministic for the seed.</summary>
    public float Normal()
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }

    public float[] Vector(int n, float std)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = std * Normal();
        return v;
    }

    /// <summary>Gains drawn from U(0.7, 1.3), as the hf-tiny-a fixture's norms are.</summary>
    public float[] Gains(int n)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = 0.7f + 0.6f * (float)rng.NextDouble();
        return v;
    }

    public WeightMatrix Matrix(int rows, int cols, float std)
    {
        var data = Vector(rows * cols, std);
        if (type == DType.F32) return WeightMatrix.FromF32(rows, cols, data);
        var bits = new ushort[data.Length];
        for (int i = 0; i < data.Length; i++) bits[i] = DTypes.SingleToBF16(data[i]);
        return WeightMatrix.FromBF16(rows, cols, bits);
    }
}
