using Raft.Core;
using Raft.Core.Messages;
using Raft.Core.Randomness;

namespace Raft.Simulation.Network;

/// <summary>
/// The simulated network between servers: per-link latency, loss, duplication and reordering,
/// and directed cuts for partitions. Messages in flight are data: they can be listed, dropped or
/// delivered by hand. Every decision draws from the network's own random stream.
/// </summary>
public sealed class SimNetwork(SplitMix64 random, LinkProfile profile)
{
    private readonly Dictionary<long, InFlightMessage> inFlight = []; // looked up by seq; listed in seq order (InFlight)
    private readonly SortedSet<(int From, int To)> cuts = [];
    private readonly SortedDictionary<(int From, int To), LinkProfile> linkOverrides = [];
    private long nextSeq = 1;

    private LinkProfile everyLink = profile;

    /// <summary>How every link behaves, except those with a profile of their own (<see cref="SetLinkProfile"/>).</summary>
    public LinkProfile Profile
    {
        get => everyLink;
        set
        {
            everyLink = value;
            Version++;
        }
    }

    /// <summary>
    /// Counts changes to the links (cuts, restores, profiles), so that a checker that judges the
    /// network can tell in one comparison whether it must look again.
    /// </summary>
    public long Version { get; private set; }

    /// <summary>The messages on the wire, in the order they were sent.</summary>
    public IReadOnlyCollection<InFlightMessage> InFlight => inFlight.Values.OrderBy(m => m.Seq).ToList();

    public IReadOnlyCollection<(int From, int To)> Cuts => cuts;

    public long MessagesSent { get; private set; }

    // Counted on every send, so a hash lookup; read rarely, so sorted when read (a defined order).
    private readonly Dictionary<string, (long Count, long PayloadBytes)> sentByKind = new(StringComparer.Ordinal);

    /// <summary>
    /// Messages handed to the network, by kind (<c>AppendEntries</c>, <c>RequestVote</c>...) in
    /// ordinal order, with their payload bytes: the commands of the entries they carry and the
    /// snapshot data, the part that grows with what is replicated. Lost ones count: they were sent.
    /// Tests read it before and after a phase to put a budget on it.
    /// </summary>
    public IReadOnlyDictionary<string, (long Count, long PayloadBytes)> SentByKind => new SortedDictionary<string, (long Count, long PayloadBytes)>(sentByKind, StringComparer.Ordinal);

    public long MessagesDropped { get; private set; }

    public long MessagesDuplicated { get; private set; }

    public LinkProfile ProfileOf(NodeId from, NodeId to) =>
        linkOverrides.Count > 0 && linkOverrides.TryGetValue((from.Value, to.Value), out var p) ? p : Profile;

    public void SetLinkProfile(NodeId from, NodeId to, LinkProfile? linkProfile)
    {
        Version++;
        if (linkProfile is null) linkOverrides.Remove((from.Value, to.Value));
        else linkOverrides[(from.Value, to.Value)] = linkProfile;
    }

    public bool IsCut(NodeId from, NodeId to) => cuts.Count > 0 && cuts.Contains((from.Value, to.Value));

    public void Cut(NodeId from, NodeId to)
    {
        if (cuts.Add((from.Value, to.Value))) Version++;
    }

    public void Restore(NodeId from, NodeId to)
    {
        if (cuts.Remove((from.Value, to.Value))) Version++;
    }

    public void HealAll()
    {
        if (cuts.Count == 0) return;
        cuts.Clear();
        Version++;
    }

    /// <summary>The replicated payload a message carries: its entries' commands, or its snapshot chunk.</summary>
    public static long PayloadBytes(Message message)
    {
        switch (message)
        {
            case AppendEntries append:
                long total = 0;
                for (var i = 0; i < append.Entries.Count; i++) total += append.Entries[i].Command.Length;
                return total;
            case InstallSnapshot install:
                return install.Data.Length;
            default:
                return 0;
        }
    }

    /// <summary>
    /// Puts a message on the wire at <paramref name="nowMicros"/>. Returns the copy scheduled, or
    /// null if it was lost or the link is cut; <paramref name="duplicate"/> is a second copy, if the
    /// network made one.
    /// </summary>
    public InFlightMessage? Send(Message message, long nowMicros, out InFlightMessage? duplicate)
    {
        MessagesSent++;
        ref var sent = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(sentByKind, message.Kind, out _);
        sent = (sent.Count + 1, sent.PayloadBytes + PayloadBytes(message));
        duplicate = null;
        var link = ProfileOf(message.From, message.To);
        if (IsCut(message.From, message.To) || random.NextDouble() < link.LossRate)
        {
            MessagesDropped++;
            return null;
        }
        var copy = Schedule(message, nowMicros, link, isDuplicate: false);
        if (link.DuplicateRate > 0 && random.NextDouble() < link.DuplicateRate)
        {
            MessagesDuplicated++;
            duplicate = Schedule(message, nowMicros, link, isDuplicate: true);
        }
        return copy;
    }

    /// <summary>Takes a message off the wire (for delivery); null if it is no longer there.</summary>
    public InFlightMessage? Take(long seq) => inFlight.Remove(seq, out var message) ? message : null;

    /// <summary>Counts a message the simulation decided to drop after taking it off the wire.</summary>
    public void RecordDrop() => MessagesDropped++;

    /// <summary>Removes a message from the wire without delivering it.</summary>
    public InFlightMessage? Drop(long seq)
    {
        if (!inFlight.Remove(seq, out var message)) return null;
        MessagesDropped++;
        return message;
    }

    /// <summary>Removes every in-flight message matching <paramref name="match"/>; returns them.</summary>
    public IReadOnlyList<InFlightMessage> DropWhere(Func<InFlightMessage, bool> match)
    {
        var dropped = inFlight.Values.Where(match).OrderBy(m => m.Seq).ToList();
        foreach (var message in dropped) Drop(message.Seq);
        return dropped;
    }

    /// <summary>Adds another copy of an in-flight message, due at the same time plus one latency.</summary>
    public InFlightMessage? Duplicate(long seq, long nowMicros)
    {
        if (!inFlight.TryGetValue(seq, out var message)) return null;
        MessagesDuplicated++;
        return Schedule(message.Message, nowMicros, ProfileOf(message.Message.From, message.Message.To), isDuplicate: true);
    }

    private InFlightMessage Schedule(Message message, long nowMicros, LinkProfile link, bool isDuplicate)
    {
        var latency = link.MinLatencyMicros + (long)(random.NextDouble() * (link.MaxLatencyMicros - link.MinLatencyMicros));
        if (link.ReorderRate > 0 && random.NextDouble() < link.ReorderRate)
            latency += (long)(random.NextDouble() * link.ReorderDelayMicros);
        // Drawn only when on, so that runs without long delays draw exactly what they always drew.
        if (link.LongDelayRate > 0 && random.NextDouble() < link.LongDelayRate)
            latency += link.LongDelayMinMicros + (long)(random.NextDouble() * (link.LongDelayMaxMicros - link.LongDelayMinMicros));
        var scheduled = new InFlightMessage(nextSeq++, message, nowMicros, nowMicros + latency, isDuplicate);
        inFlight[scheduled.Seq] = scheduled;
        return scheduled;
    }
}
