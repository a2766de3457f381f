using System.Globalization;
using System.IO.Hashing;

namespace Raft.Simulation.Tracing;

/// <summary>
/// The run's trace: a running digest over every event's canonical binary form
/// (<see cref="TraceEncoding"/>; same seed, same digest, in any process on any machine), the last
/// few events (for failure reports), and optionally every event. Recording formats nothing.
/// </summary>
public sealed class Trace
{
    private const int HashBatchBytes = 8192;
    private readonly bool keepAll;
    private readonly XxHash3 hasher = new();
    private readonly ByteWriter pending; // the events not hashed yet
    private readonly List<TraceEvent> all = [];
    private readonly TraceEvent[] recent;

    public Trace(bool keepAll, int recentCapacity = 64)
    {
        this.keepAll = keepAll;
        recent = new TraceEvent[recentCapacity];
        // Events are hashed a few kilobytes at a time (the same bytes in the same order, fewer
        // calls), straight from one buffer that never grows: it feeds the hash whenever it is full.
        pending = new ByteWriter(HashBatchBytes, hashWhenFull: hasher);
    }

    public long Count { get; private set; }

    public IReadOnlyList<TraceEvent> All => all;

    /// <summary>The last events recorded (up to the window's capacity), oldest first.</summary>
    public IReadOnlyCollection<TraceEvent> Recent
    {
        get
        {
            var kept = (int)Math.Min(Count, recent.Length);
            var events = new TraceEvent[kept];
            for (var i = 0; i < kept; i++) events[i] = recent[(Count - kept + i) % recent.Length];
            return events;
        }
    }

    /// <summary>Whether every event is kept (otherwise only the digest and the recent window).</summary>
    public bool KeepsAll => keepAll;

    public void Add(in TraceEvent traceEvent)
    {
        TraceEncoding.Append(traceEvent, pending);
        recent[Count % recent.Length] = traceEvent;
        Count++;
        if (keepAll) all.Add(traceEvent);
    }

    /// <summary>Digest of the whole run so far, as 16 hex digits.</summary>
    public string Digest
    {
        get
        {
            HashPending();
            return hasher.GetCurrentHashAsUInt64().ToString("x16", CultureInfo.InvariantCulture);
        }
    }

    private void HashPending()
    {
        hasher.Append(pending.Written);
        pending.Clear();
    }
}
