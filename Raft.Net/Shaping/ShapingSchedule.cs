using System.Diagnostics;

namespace Raft.Net.Shaping;

/// <summary>
/// When each packet a shaper has been given may go: the decisions of <see cref="PacketShaper"/>
/// without the kernel, so that they can be tested on their own. Time is passed in (microseconds on
/// any monotonic clock) and randomness comes from the <see cref="Random"/> given.
/// <para>
/// Packets leave in order of release time, not of arrival: with jitter, a packet drawn a short
/// delay overtakes one drawn a long delay. Invariant: every packet held has a release time, and
/// <see cref="Held"/> never exceeds <see cref="MaxHeld"/>.
/// </para>
/// </summary>
public sealed class ShapingSchedule
{
    /// <summary>The most packets held at once; beyond it packets go at once (counted as overflowed).</summary>
    public const int MaxHeld = 4096;

    private readonly PacketShaping shaping;
    private readonly Random random;
    private readonly PriorityQueue<HeldPacket, (long ReleaseMicros, long Sequence)> byRelease = new();
    private readonly SortedSet<long> heldSequences = [];
    private long nextSequence;
    private ShaperCounters counters;

    public ShapingSchedule(PacketShaping shaping, Random random)
    {
        if (shaping.Problem() is { } problem) throw new ArgumentException(problem, nameof(shaping));
        this.shaping = shaping;
        this.random = random;
    }

    /// <summary>A packet the kernel gave us, waiting for its verdict; <see cref="Copy"/> is set when it is to be sent twice.</summary>
    public readonly record struct HeldPacket(uint Id, long Sequence, byte[]? Copy);

    public ShaperCounters Counters => counters;

    public int Held => byRelease.Count;

    /// <summary>When the earliest held packet is due, or null when none is held.</summary>
    public long? NextReleaseMicros => byRelease.TryPeek(out _, out var due) ? due.ReleaseMicros : null;

    /// <summary>Whether a packet arriving now is to be sent twice (decided before its bytes are copied).</summary>
    public bool DrawDuplicate() => shaping.Duplicate > 0 && random.NextDouble() < shaping.Duplicate;

    /// <summary>Takes a packet arriving at <paramref name="nowMicros"/>; it is released by <see cref="TakeDue"/>.</summary>
    public void Arrive(uint id, byte[]? copy, long nowMicros)
    {
        var packet = new HeldPacket(id, nextSequence++, copy);
        counters = counters with { Packets = counters.Packets + 1 };
        var release = nowMicros + DrawDelayMicros();
        if (byRelease.Count >= MaxHeld)
        {
            release = nowMicros;
            counters = counters with { Overflowed = counters.Overflowed + 1 };
        }
        else if (release > nowMicros)
        {
            counters = counters with { Delayed = counters.Delayed + 1 };
        }
        byRelease.Enqueue(packet, (release, packet.Sequence));
        heldSequences.Add(packet.Sequence);
        Debug.Assert(byRelease.Count <= MaxHeld + 1);
    }

    /// <summary>The next packet due at <paramref name="nowMicros"/> (every one when <paramref name="all"/>), or false when none is.</summary>
    public bool TakeDue(long nowMicros, out HeldPacket packet, bool all = false)
    {
        if (!byRelease.TryPeek(out packet, out var due) || (!all && due.ReleaseMicros > nowMicros)) return false;
        byRelease.Dequeue();
        heldSequences.Remove(packet.Sequence);
        // Overtaking: an earlier arrival is still held while this one goes.
        if (heldSequences.Count > 0 && heldSequences.Min < packet.Sequence) counters = counters with { Reordered = counters.Reordered + 1 };
        return true;
    }

    /// <summary>Counts a copy sent (or refused by the raw socket).</summary>
    public void CountCopy(bool sent) => counters = sent
        ? counters with { Duplicated = counters.Duplicated + 1 }
        : counters with { DuplicatesFailed = counters.DuplicatesFailed + 1 };

    /// <summary>Delay ± jitter, uniform; zero for a packet chosen to go ahead of the others (<see cref="PacketShaping.Reorder"/>).</summary>
    private long DrawDelayMicros()
    {
        if (shaping.Reorder > 0 && random.NextDouble() < shaping.Reorder) return 0;
        var delay = shaping.Delay.TotalMicroseconds;
        var jitter = shaping.Jitter.TotalMicroseconds;
        return (long)Math.Max(0, delay + (jitter > 0 ? (random.NextDouble() * 2 - 1) * jitter : 0));
    }
}
