namespace Raft.Net.Hosting;

/// <summary>
/// Does a node's disk work on a thread of its own, one job at a time, so that the node's thread
/// never waits for its disk: a job writes a batch of persist effects and syncs them (fsyncs,
/// snapshot files, log rewrites: everything <see cref="Storage.FileStorage"/> does). Writes that
/// the node issues while a job runs wait for the next job, and share its sync (group commit).
/// </summary>
internal sealed class DiskThread : IDisposable
{
    private readonly object gate = new();
    private readonly Thread thread;
    private Action? job;
    private Action<Exception?>? completed;
    private bool stopping;

    public DiskThread(string name)
    {
        thread = new Thread(Loop) { Name = name, IsBackground = true };
        thread.Start();
    }

    /// <summary>
    /// Runs <paramref name="work"/>, then calls <paramref name="onCompleted"/> (on this thread) with
    /// the exception it threw, if any. Only one at a time: the caller waits for the completion.
    /// </summary>
    public void Run(Action work, Action<Exception?> onCompleted)
    {
        lock (gate)
        {
            if (job is not null) throw new InvalidOperationException("a sync is already running");
            ObjectDisposedException.ThrowIf(stopping, this);
            job = work;
            completed = onCompleted;
            Monitor.PulseAll(gate);
        }
    }

    private void Loop()
    {
        while (true)
        {
            Action work;
            Action<Exception?> onCompleted;
            lock (gate)
            {
                while (job is null && !stopping) Monitor.Wait(gate);
                if (job is null) return; // stopping, and nothing left to run
                (work, onCompleted) = (job, completed!);
            }
            Exception? error = null;
            try
            {
                work();
            }
            catch (Exception e)
            {
                error = e;
            }
            lock (gate)
            {
                job = null;
                completed = null;
                Monitor.PulseAll(gate);
            }
            try
            {
                onCompleted(error);
            }
            catch (ObjectDisposedException)
            {
                // The node was disposed while its last job ran: nobody is left to tell. Anything
                // else is a bug and ends the process, as on any thread.
            }
        }
    }

    /// <summary>Finishes the job under way, if any, and stops the thread.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            stopping = true;
            Monitor.PulseAll(gate);
        }
        if (Thread.CurrentThread != thread) thread.Join();
    }
}
