using Amphista.Tensors;

namespace Amphista.Benchmarks;

/// <summary>Inputs shared by the benchmarks: seeded, so every run times the same numbers.</summary>
internal static class BenchInputs
{
    /// <summary>1 and every core: the single-thread kernel and the full machine (one value on a 1-core box).</summary>
    public static IEnumerable<int> ThreadCounts() => new[] { 1, Environment.ProcessorCount }.Distinct();

    /// <summary>Activations [rows, cols] of roughly unit size, like RMSNorm outputs.</summary>
    public static Tensor Activations(int rows, int cols, int seed) =>
        new(rows, cols, new RandomWeights(seed).Vector(rows * cols, 1f));

    /// <summary>A weight matrix [rows, cols] with Llama's initialisation scale.</summary>
    public static WeightMatrix Weights(int rows, int cols, DType type, int seed) =>
        new HashedRandomWeights(seed, type, Environment.ProcessorCount).Matrix(rows, cols, 0.02f);
}
