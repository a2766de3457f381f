namespace Raft.Net.Hosting;

/// <summary>
/// Runs the slow part of a node's syncs (an fsync, see <see cref="Storage.FileStorage.SyncLater"/>)
/// on a thread of its own, one at a time, so that the node's thread goes on stepping meanwhile:
/// writes that arrive during an fsync wait for the next one, and share it (group commit).
/// </summary>
internal sealed class SyncThread : IDisposable
{
    private readonly object gate = new();
    private readonly Thread thread;
    private Action? job;
    private Action<Exception?>? completed;
    private bool stopping;

    public SyncThread(string name)
    {
        thread = new Thread(Loop) { Name = name, IsBackground = true };
        thread.Start();
    }

    /// <summary>
    /// Runs <paramref name="fsync"/>, then calls <paramref name="onCompleted"/> (on this thread) with
    /// the exception it threw, if any. Only one at a time: the caller waits for the completion.
    /// </summary>
    public void Run(Action fsync, Action<Exception?> onCompleted)
    {
        lock (gate)
        {
            if (job is not null) throw new InvalidOperationException("a sync is already running");
            ObjectDisposedException.ThrowIf(stopping, this);
            job = fsync;
            completed = onCompleted;
            Monitor.PulseAll(gate);
        }
    }

    private void Loop()
    {
        while (true)
        {
            Action fsync;
            Action<Exception?> onCompleted;
            lock (gate)
            {
                while (job is null && !stopping) Monitor.Wait(gate);
                if (job is null) return; // stopping, and nothing left to run
                (fsync, onCompleted) = (job, completed!);
            }
            Exception? error = null;
            try
            {
                fsync();
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
                // The node was disposed while its last fsync ran: nobody is left to tell. Anything
                // else is a bug and ends the process, as on any thread.
            }
        }
    }

    /// <summary>Finishes the fsync under way, if any, and stops the thread.</summary>
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
