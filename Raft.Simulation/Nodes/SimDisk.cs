using Raft.Core.Effects;
using Raft.Core.Storage;

namespace Raft.Simulation.Nodes;

/// <summary>
/// A simulated disk. A write becomes durable only when its sync completes, at the time given when
/// it was issued; a crash loses the writes still waiting for their sync (the unsynced tail). Writes
/// are numbered 1, 2, ... for the life of the disk, so that a driver can ask when a given one is
/// durable (see <see cref="Execution.EffectExecutor"/>).
/// <para>
/// The disk is also the evidence the durability check reads: <see cref="StateAt"/> is what would
/// survive a crash at a given time, recomputed from the writes themselves, never from what the
/// node says it stored.
/// </para>
/// </summary>
public sealed class SimDisk
{
    private readonly MemoryStorage durable = new();
    private MemoryStorage issued = new(); // every write handed to the disk, synced or not
    private readonly Queue<PendingWrite> unsynced = new();
    private long writesIssued;
    private long lastDurableAtMicros;

    public long Writes => writesIssued;

    public long LostWrites { get; private set; }

    /// <summary>Issues a write that becomes durable at <paramref name="durableAtMicros"/>; returns its number.</summary>
    public long Write(Effect write, long durableAtMicros)
    {
        if (durableAtMicros < lastDurableAtMicros)
            throw new ArgumentOutOfRangeException(nameof(durableAtMicros), "a disk syncs its writes in the order they were issued");
        writesIssued++;
        lastDurableAtMicros = durableAtMicros;
        unsynced.Enqueue(new PendingWrite(writesIssued, durableAtMicros, write));
        issued.Persist(write);
        return writesIssued;
    }

    /// <summary>When write number <paramref name="write"/> is (or was) durable; <paramref name="nowMicros"/> if it already is.</summary>
    public long DurableAt(long write, long nowMicros)
    {
        SyncUpTo(nowMicros);
        foreach (var pending in unsynced)
            if (pending.Number >= write) return Math.Max(nowMicros, pending.DurableAtMicros);
        return nowMicros;
    }

    /// <summary>Completes every sync due by <paramref name="nowMicros"/>.</summary>
    public void SyncUpTo(long nowMicros)
    {
        while (unsynced.Count > 0 && unsynced.Peek().DurableAtMicros <= nowMicros)
            durable.Persist(unsynced.Dequeue().Write);
    }

    /// <summary>
    /// What the disk will hold at <paramref name="atMicros"/> (not before <paramref name="nowMicros"/>)
    /// if no crash comes first: every write whose sync completes by then. Read-only: do not persist to it.
    /// </summary>
    public MemoryStorage StateAt(long atMicros, long nowMicros)
    {
        SyncUpTo(nowMicros);
        if (lastDurableAtMicros <= atMicros) return issued;
        if (unsynced.Peek().DurableAtMicros > atMicros) return durable;
        var state = durable.Copy();
        foreach (var pending in unsynced)
        {
            if (pending.DurableAtMicros > atMicros) break;
            state.Persist(pending.Write);
        }
        return state;
    }

    /// <summary>Power loss at <paramref name="nowMicros"/>: what was synced stays, the rest is gone.</summary>
    public void Crash(long nowMicros)
    {
        SyncUpTo(nowMicros);
        LostWrites += unsynced.Count;
        unsynced.Clear();
        issued = durable.Copy();
    }

    public PersistentState Load() => durable.Load();

    /// <summary>
    /// How much replicated state the disk holds at <paramref name="nowMicros"/> (synced writes only):
    /// the commands of the log's entries plus the snapshot's data. Log compaction makes it shrink.
    /// </summary>
    public long PersistedBytes(long nowMicros)
    {
        SyncUpTo(nowMicros);
        long total = durable.Snapshot?.Data.Length ?? 0;
        foreach (var entry in durable.Entries) total += entry.Command.Length;
        return total;
    }

    private readonly record struct PendingWrite(long Number, long DurableAtMicros, Effect Write);
}
