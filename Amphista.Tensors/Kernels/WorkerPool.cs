namespace Amphista.Tensors.Kernels;

/// <summary>
/// A fixed team of threads for fine-grained data parallelism: a decode step issues dozens of
/// small kernel calls, each tens of microseconds, where the thread pool's wake-up latency would
/// cost more than the work. Workers spin briefly for the next call, then sleep. Work is split into
/// one contiguous range per thread; since every output is computed by the same code whichever
/// thread runs it, the split never changes a result.
/// </summary>
internal sealed class WorkerPool
{
    private const int SpinIterations = 20_000;

    private readonly object gate = new();
    private readonly object dispatch = new();
    private readonly int threads;
    private Action<int, int>? body;
    private int count;
    private int generation;
    private int pending;
    private Exception? failure;

    public WorkerPool(int threads)
    {
        this.threads = threads;
        for (int w = 1; w < threads; w++)
        {
            int part = w;
            new Thread(() => WorkerLoop(part)) { IsBackground = true, Name = $"amphista-worker-{w}" }.Start();
        }
    }

    /// <summary>Runs body(first, end) over [0, count) split into one range per thread.</summary>
    public void For(int count, Action<int, int> body)
    {
        lock (dispatch)   // callers on several threads (parallel tests) take turns
        {
            this.body = body;
            this.count = count;
            failure = null;
            Volatile.Write(ref pending, threads - 1);
            lock (gate)
            {
                generation++;
                Monitor.PulseAll(gate);
            }
            RunPart(0);
            var wait = new SpinWait();
            while (Volatile.Read(ref pending) != 0) wait.SpinOnce(sleep1Threshold: -1);
            this.body = null;
            if (failure is not null) throw new AggregateException("a kernel worker failed", failure);
        }
    }

    private void WorkerLoop(int part)
    {
        int seen = 0;
        while (true)
        {
            for (int spin = 0; Volatile.Read(ref generation) == seen && spin < SpinIterations; spin++)
                Thread.SpinWait(10);
            lock (gate)
                while (generation == seen) Monitor.Wait(gate);
            seen = generation;
            try
            {
                RunPart(part);
            }
            catch (Exception e)
            {
                failure = e;
            }
            Interlocked.Decrement(ref pending);
        }
    }

    private void RunPart(int part)
    {
        int first = (int)((long)count * part / threads), end = (int)((long)count * (part + 1) / threads);
        if (first < end) body!(first, end);
    }
}
