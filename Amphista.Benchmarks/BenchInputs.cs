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

    /// <summary>The operands of y [T, O] = x [T, D] · W [O, D]ᵀ, seeded as every product benchmark seeds them.</summary>
    public static ProductOperands Product(int rows, int outputs, int width, DType type) =>
        new(Activations(rows, width, seed: 1), Weights(outputs, width, type, seed: 2), new Tensor(rows, outputs));
}

/// <summary>x [T, D], W [O, D], y [T, O].</summary>
internal sealed record ProductOperands(Tensor X, WeightMatrix W, Tensor Y);
