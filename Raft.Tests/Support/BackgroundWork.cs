namespace Raft.Tests.Support;

/// <summary>
/// Work a test runs on a thread of its own (a client writing, a chat participant), made safe for
/// the test host: an exception on a plain thread would end the whole test process (.NET has no
/// way to survive it), so the thread catches everything and <see cref="Join"/> fails the owning
/// test with it. <see cref="Join"/> waits a bounded time, and says so when the work runs over.
/// </summary>
public sealed class BackgroundWork
{
    private readonly Thread thread;
    private Exception? error;

    private BackgroundWork(string name, Action work)
    {
        Name = name;
        thread = new Thread(() =>
        {
            try
            {
                work();
            }
            catch (Exception e)
            {
                Volatile.Write(ref error, e); // reported by Join, on the test's thread
            }
        }) { Name = name, IsBackground = true };
    }

    public string Name { get; }

    /// <summary>The exception the work ended with, if it did.</summary>
    public Exception? Error => Volatile.Read(ref error);

    /// <summary>Starts <paramref name="work"/> on a background thread named <paramref name="name"/>.</summary>
    public static BackgroundWork Start(string name, Action work)
    {
        var started = new BackgroundWork(name, work);
        started.thread.Start();
        return started;
    }

    /// <summary>
    /// Waits up to <paramref name="patience"/> for the work to end; fails the test if it threw or
    /// is still running (then the thread is left behind: it is a background thread, and the
    /// failure says what it was doing).
    /// </summary>
    public void Join(TimeSpan patience)
    {
        if (!thread.Join(patience)) Assert.Fail($"background work '{Name}' still running after {patience.TotalSeconds:0.#}s");
        if (Error is { } e) Assert.Fail($"background work '{Name}' threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
    }
}
