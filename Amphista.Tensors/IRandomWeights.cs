namespace Amphista.Tensors;

/// <summary>
/// A seeded source of random parameters. Two exist: <see cref="RandomWeights"/> (one sequential
/// Box-Muller stream, for small test models) and <see cref="HashedRandomWeights"/> (a hash of the
/// element's coordinates, filled in parallel, for billion-parameter speed-work models).
/// </summary>
public interface IRandomWeights
{
    /// <summary>A matrix [rows, cols] of zero-mean values with standard deviation std.</summary>
    WeightMatrix Matrix(int rows, int cols, float std);

    /// <summary>RMSNorm gains [n], near 1.</summary>
    float[] Gains(int n);
}
