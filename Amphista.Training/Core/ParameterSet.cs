using Amphista.Tensors.Kernels;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Amphista.Training.Core;

/// <summary>
/// The trainable parameters in a fixed order (the order they were added), with the operations a
/// step needs across all of them: zero the gradients, the global gradient norm
/// ‖g‖ = sqrt(Σ_p Σ_i g_pi²), and clipping g ← g · min(1, max / ‖g‖).
/// The elementwise work runs in chunks of at most 64 K elements, on a worker pool when one is given;
/// the norm sums each chunk in double and then the chunks' sums in chunk order, so it is reproducible
/// to the bit on any thread count.
/// </summary>
public sealed class ParameterSet : IReadOnlyList<Parameter>
{
    private const int ChunkElements = 1 << 16;

    private readonly List<Parameter> parameters = [];
    private readonly HashSet<string> names = [];
    private Chunk[]? chunks;

    public ParameterSet() { }

    public ParameterSet(IEnumerable<Parameter> parameters)
    {
        foreach (var p in parameters) Add(p);
    }

    public void Add(Parameter p)
    {
        if (!names.Add(p.Name)) throw new ArgumentException($"duplicate parameter name '{p.Name}'");
        parameters.Add(p);
        chunks = null;
    }

    public int Count => parameters.Count;
    public Parameter this[int index] => parameters[index];
    public IEnumerator<Parameter> GetEnumerator() => parameters.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Total number of trainable scalars.</summary>
    public long ElementCount => parameters.Sum(p => (long)p.Value.Data.Length);

    public void ZeroGrads()
    {
        foreach (var p in parameters) Array.Clear(p.Grad.Data);
    }

    /// <summary>Gives every parameter count zeroed slot gradients (<see cref="Parameter.SlotGrad"/>).</summary>
    public void UseSlots(int count)
    {
        foreach (var p in parameters) p.UseSlots(count);
    }

    /// <summary>
    /// Grad = slot 0 + slot 1 + … + slot count−1, added in that order (whatever thread filled each
    /// slot), and the slots cleared for the next step.
    /// </summary>
    public void GatherSlots(int count) => GatherSlots(count, null);

    internal void GatherSlots(int count, WorkerPool? pool)
    {
        foreach (var p in parameters)
            if (count > p.Slots) throw new ArgumentOutOfRangeException(nameof(count), $"{p} has {p.Slots} slot gradients, not {count}");
        ForEachChunk(pool, (_, i, range) =>
        {
            var p = parameters[i];
            var grad = p.Grad.Data.AsSpan(range);
            for (int s = 0; s < count; s++)
            {
                var slot = p.SlotGrad(s).Data.AsSpan(range);
                if (s == 0) slot.CopyTo(grad);
                else TensorPrimitives.Add(grad, slot, grad);
                slot.Clear();
            }
        });
    }

    /// <summary>How many chunks the elementwise work is split into.</summary>
    internal int ChunkCount => (chunks ??= Chunks()).Length;

    /// <summary>body(chunk, parameter index, the chunk's element range) for every chunk, chunks spread over the pool's threads.</summary>
    internal void ForEachChunk(WorkerPool? pool, Action<int, int, Range> body)
    {
        var all = chunks ??= Chunks();
        TaskQueue.Run(pool, all.Length, c => body(c, all[c].Parameter, all[c].Start..(all[c].Start + all[c].Length)));
    }

    private Chunk[] Chunks() =>
        [.. parameters.SelectMany((p, i) => Enumerable.Range(0, (p.Value.Data.Length + ChunkElements - 1) / ChunkElements)
            .Select(c => new Chunk(i, c * ChunkElements, Math.Min(ChunkElements, p.Value.Data.Length - c * ChunkElements))))];

    /// <summary>Elements Start .. Start + Length − 1 of parameter Parameter.</summary>
    private readonly record struct Chunk(int Parameter, int Start, int Length);

    public double GradNorm() => GradNorm(null);

    private double GradNorm(WorkerPool? pool)
    {
        var sums = new double[ChunkCount];   // [chunks] Σ g² of each chunk
        ForEachChunk(pool, (c, i, range) =>
        {
            double sum = 0;
            foreach (float g in parameters[i].Grad.Data.AsSpan(range)) sum += (double)g * g;
            sums[c] = sum;
        });
        double total = 0;
        foreach (double sum in sums) total += sum;
        return Math.Sqrt(total);
    }

    /// <summary>Scales all gradients so the global norm is at most maxNorm; returns the norm before clipping.</summary>
    public double ClipGradNorm(double maxNorm) => ClipGradNorm(maxNorm, null);

    internal double ClipGradNorm(double maxNorm, WorkerPool? pool)
    {
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"max norm must be positive, got {maxNorm}");
        double norm = GradNorm(pool);
        if (norm > maxNorm)
        {
            float scale = (float)(maxNorm / norm);
            ForEachChunk(pool, (_, i, range) =>
            {
                var g = parameters[i].Grad.Data.AsSpan(range);
                TensorPrimitives.Multiply(g, scale, g);
            });
        }
        return norm;
    }
}
