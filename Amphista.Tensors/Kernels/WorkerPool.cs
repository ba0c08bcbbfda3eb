using System.Diagnostics;

namespace Amphista.Tensors.Kernels;

/// <summary>
/// A fixed team of threads for fine-grained data parallelism: a decode step issues dozens of
/// kernel calls of tens of microseconds, where the thread pool's wake-up latency would cost more
/// than the work. Each call is split into one contiguous part per thread; the caller and the
/// workers claim parts from a shared counter, so when a worker is late (a busy machine) the caller
/// simply runs its part too. Every output is computed by the same code whoever runs it, so the
/// split never changes a result.
/// </summary>
internal sealed class WorkerPool
{
    private static readonly long SpinTicks = Stopwatch.Frequency / 5_000;   // 200 µs before a worker sleeps

    private readonly object gate = new();
    private readonly object dispatch = new();
    private readonly int parts;
    private IPartitioned? body;
    private int count;
    private long state;        // generation << 32 | next unclaimed part
    private int done;          // parts finished in this generation
    private Exception? failure;

    public WorkerPool(int threads)
    {
        parts = threads;
        for (int w = 1; w < threads; w++)
            new Thread(WorkerLoop) { IsBackground = true, Name = $"amphista-worker-{w}" }.Start();
    }

    /// <summary>The threads that run a call: the caller and Threads − 1 workers.</summary>
    public int Threads => parts;

    /// <summary>Runs body.Run(first, end) over [0, count) split into one range per thread.</summary>
    public void For(int count, IPartitioned body)
    {
        lock (dispatch)   // callers on several threads (parallel tests) take turns
        {
            this.body = body;
            this.count = count;
            failure = null;
            done = 0;
            long generation = (Volatile.Read(ref state) >> 32) + 1;
            lock (gate)
            {
                Volatile.Write(ref state, generation << 32);
                Monitor.PulseAll(gate);
            }
            Participate(generation);
            var wait = new SpinWait();
            while (Volatile.Read(ref done) != parts) wait.SpinOnce(sleep1Threshold: -1);
            this.body = null;
            if (failure is not null) throw new AggregateException("a kernel worker failed", failure);
        }
    }

    /// <summary>Claims and runs parts of this generation until none is left.</summary>
    private void Participate(long generation)
    {
        while (true)
        {
            long s = Volatile.Read(ref state);
            int part = (int)(s & 0xFFFF_FFFF);
            if (s >> 32 != generation || part >= parts) return;
            if (Interlocked.CompareExchange(ref state, s + 1, s) != s) continue;
            try
            {
                int first = (int)((long)count * part / parts), end = (int)((long)count * (part + 1) / parts);
                if (first < end) body!.Run(first, end);
            }
            catch (Exception e)
            {
                failure = e;
            }
            Interlocked.Increment(ref done);
        }
    }

    private void WorkerLoop()
    {
        long seen = 0;
        while (true)
        {
            long until = Stopwatch.GetTimestamp() + SpinTicks;
            while (Volatile.Read(ref state) >> 32 == seen && Stopwatch.GetTimestamp() < until) Thread.SpinWait(20);
            lock (gate)
                while (Volatile.Read(ref state) >> 32 == seen) Monitor.Wait(gate);
            seen = Volatile.Read(ref state) >> 32;
            Participate(seen);
        }
    }
}

/// <summary>
/// Work over an index range that any thread may run any part of. A kernel keeps one instance per
/// operation and refills its fields per call, so dispatching allocates nothing.
/// </summary>
internal interface IPartitioned
{
    void Run(int first, int end);
}
