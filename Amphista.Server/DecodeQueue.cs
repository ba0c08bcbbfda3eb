// One model, many clients: requests wait in arrival order and one worker thread decodes them one at a time.
using System.Collections.Concurrent;
using System.Diagnostics;
using Amphista.Server.Api;

namespace Amphista.Server;

/// <summary>
/// A first-in, first-out queue with one worker. At most maxWaiting requests wait behind the one being decoded; one
/// more is refused (429) with a Retry-After from the mean time a request has taken. A request whose token is
/// cancelled (its client went away) is skipped if it is still waiting, and otherwise aborted by the decoder's next
/// token, which frees the worker for the next. Closing refuses new requests and cancels the waiting ones; the one
/// being decoded finishes.
/// </summary>
public sealed class DecodeQueue : IDisposable
{
    private readonly BlockingCollection<Job> jobs = new(new ConcurrentQueue<Job>());
    private readonly Lock gate = new();
    private readonly Thread worker;
    private readonly int maxWaiting;
    private int pending;   // waiting or being decoded
    private double meanSeconds = 1;

    public DecodeQueue(int maxWaiting)
    {
        this.maxWaiting = maxWaiting;
        worker = new Thread(Work) { Name = "amphista decode", IsBackground = true };
        worker.Start();
    }

    public int Waiting
    {
        get
        {
            lock (gate) return pending - (Decoding ? 1 : 0);
        }
    }

    public bool Decoding { get; private set; }

    public int Completed { get; private set; }

    public int Cancelled { get; private set; }

    public int Refused { get; private set; }

    /// <summary>Queues work; the task ends when it has run (or been cancelled). Throws 429 when full, 503 once closed.</summary>
    public Task Run(Action<CancellationToken> work, CancellationToken cancel)
    {
        lock (gate)
        {
            if (jobs.IsAddingCompleted) throw ApiException.ShuttingDown();
            if (pending > maxWaiting)
            {
                Refused++;
                throw ApiException.QueueFull(pending - 1, (int)Math.Ceiling(Math.Max(1, meanSeconds * pending)));
            }
            pending++;
            var job = new Job(work, cancel);
            jobs.Add(job);
            return job.Done.Task;
        }
    }

    private void Work()
    {
        foreach (var job in jobs.GetConsumingEnumerable())
        {
            lock (gate) Decoding = true;
            var clock = Stopwatch.StartNew();
            bool cancelled = job.Execute();
            lock (gate)
            {
                pending--;
                Decoding = false;
                if (cancelled) Cancelled++;
                else Completed++;
                meanSeconds = 0.8 * meanSeconds + 0.2 * clock.Elapsed.TotalSeconds;
            }
        }
    }

    /// <summary>Refuses new requests and cancels those waiting; the one being decoded runs on.</summary>
    public void Close()
    {
        lock (gate)
        {
            if (jobs.IsAddingCompleted) return;
            jobs.CompleteAdding();
        }
        foreach (var job in jobs) job.CancelUnlessStarted();
    }

    /// <summary>Closes and waits for the worker to finish what it is doing.</summary>
    public void Dispose()
    {
        Close();
        worker.Join();
        jobs.Dispose();
    }

    private sealed class Job(Action<CancellationToken> work, CancellationToken cancel)
    {
        private int started;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Runs the work unless cancelled first; true when it was cancelled.</summary>
        public bool Execute()
        {
            if (Interlocked.Exchange(ref started, 1) == 1 || cancel.IsCancellationRequested)
            {
                Done.TrySetCanceled();
                return true;
            }
            try
            {
                work(cancel);
                Done.SetResult();
                return false;
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                Done.SetCanceled();
                return true;
            }
            catch (Exception e)
            {
                Done.SetException(e);
                return false;
            }
        }

        public void CancelUnlessStarted()
        {
            if (Interlocked.Exchange(ref started, 1) == 0) Done.TrySetCanceled();
        }
    }
}
