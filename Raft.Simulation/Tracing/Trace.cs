using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace Raft.Simulation.Tracing;

/// <summary>
/// The run's trace: a running digest over every event's text form (same seed, same digest), the
/// last few events (for failure reports), and optionally every event.
/// </summary>
public sealed class Trace(bool keepAll, int recentCapacity = 64)
{
    private readonly XxHash3 hasher = new();
    private readonly List<TraceEvent> all = [];
    private readonly Queue<TraceEvent> recent = new();

    public long Count { get; private set; }

    public IReadOnlyList<TraceEvent> All => all;

    public IReadOnlyCollection<TraceEvent> Recent => recent;

    /// <summary>Whether every event is kept (otherwise only the digest and the recent window).</summary>
    public bool KeepsAll => keepAll;

    public void Add(TraceEvent traceEvent)
    {
        Count++;
        hasher.Append(Encoding.UTF8.GetBytes(traceEvent.ToText()));
        hasher.Append("\n"u8);
        if (keepAll) all.Add(traceEvent);
        recent.Enqueue(traceEvent);
        if (recent.Count > recentCapacity) recent.Dequeue();
    }

    /// <summary>Digest of the whole run so far, as 16 hex digits.</summary>
    public string Digest => hasher.GetCurrentHashAsUInt64().ToString("x16", CultureInfo.InvariantCulture);
}
