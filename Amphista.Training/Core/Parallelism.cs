namespace Amphista.Training.Core;

/// <summary>
/// Splits work over independent outputs only: the caller's body computes whole outputs, each with
/// a fixed summation order, so how items land on threads never changes a bit of the result.
/// MaxThreads exists so tests can prove that (1 thread vs all cores, bit-identical weights).
/// </summary>
public static class Parallelism
{
    private static int maxThreads = Environment.ProcessorCount;

    public static int MaxThreads
    {
        get => maxThreads;
        set => maxThreads = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), $"need at least one thread, got {value}");
    }

    /// <summary>Runs body(i) for i in [0, count), in parallel when more than one thread is allowed.</summary>
    public static void For(int count, Action<int> body)
    {
        if (maxThreads == 1 || count <= 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = maxThreads }, body);
    }
}
