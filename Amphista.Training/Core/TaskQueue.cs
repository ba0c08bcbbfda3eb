using Amphista.Tensors.Kernels;

namespace Amphista.Training.Core;

/// <summary>
/// body(i) for every i in [0, count), each once, on a <see cref="WorkerPool"/>: every thread that
/// joins takes the next i not yet taken, so a long item does not hold back the rest. Callers give
/// each i its own output, so which thread runs which never changes a result.
/// </summary>
internal sealed class TaskQueue(int count, Action<int> body) : IPartitioned
{
    private int next = -1;

    /// <summary>Runs every item, on the pool when there is one and more than one item.</summary>
    public static void Run(WorkerPool? pool, int count, Action<int> body)
    {
        var queue = new TaskQueue(count, body);
        if (pool is null || pool.Threads == 1 || count == 1) queue.Run(0, 1);
        else pool.For(pool.Threads, queue);
    }

    public void Run(int first, int end)
    {
        for (int i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next)) body(i);
    }
}
