using System.Globalization;
using System.IO.Hashing;

namespace Raft.Simulation.Tracing;

/// <summary>
/// The run's trace: a running digest over every event's canonical binary form
/// (<see cref="TraceEncoding"/>; same seed, same digest, in any process on any machine), the last
/// few events (for failure reports), and optionally every event. Recording formats nothing.
/// </summary>
public sealed class Trace(bool keepAll, int recentCapacity = 64)
{
    private readonly XxHash3 hasher = new();
    private readonly ByteWriter encoded = new();
    private readonly List<TraceEvent> all = [];
    private readonly TraceEvent[] recent = new TraceEvent[recentCapacity];

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
        TraceEncoding.Write(traceEvent, encoded);
        hasher.Append(encoded.Written);
        recent[Count % recent.Length] = traceEvent;
        Count++;
        if (keepAll) all.Add(traceEvent);
    }

    /// <summary>Digest of the whole run so far, as 16 hex digits.</summary>
    public string Digest => hasher.GetCurrentHashAsUInt64().ToString("x16", CultureInfo.InvariantCulture);
}
