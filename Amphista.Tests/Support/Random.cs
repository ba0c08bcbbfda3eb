using Amphista.Tensors;

namespace Amphista.Tests.Support;

/// <summary>Seeded random activations and weights for kernel tests.</summary>
public static class Rand
{
    public static Tensor Tensor(int rows, int cols, int seed, float scale = 1f)
    {
        var rng = new RandomWeights(seed);
        return new Tensor(rows, cols, rng.Vector(rows * cols, scale));
    }

    public static WeightMatrix Matrix(int rows, int cols, int seed, DType type) =>
        new RandomWeights(seed, type).Matrix(rows, cols, 0.5f);

    /// <summary>Copies row r of t into a 1-row tensor.</summary>
    public static Tensor RowOf(Tensor t, int r) => new(1, t.Cols, t.Row(r).ToArray());
}
