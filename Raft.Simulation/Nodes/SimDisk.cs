using Raft.Core.Effects;
using Raft.Core.Storage;

namespace Raft.Simulation.Nodes;

/// <summary>
/// A simulated disk. A write becomes durable only when its sync completes, <c>syncMicros</c> after
/// it was issued; a crash loses the writes still waiting for their sync (the unsynced tail). A
/// correct driver therefore holds back messages until the writes before them are durable.
/// </summary>
public sealed class SimDisk
{
    private readonly MemoryStorage durable = new();
    private readonly Queue<(long DurableAtMicros, Effect Write)> unsynced = new();

    public long Writes { get; private set; }

    public long LostWrites { get; private set; }

    /// <summary>Issues a write that becomes durable at <paramref name="durableAtMicros"/>.</summary>
    public void Write(Effect write, long durableAtMicros)
    {
        Writes++;
        unsynced.Enqueue((durableAtMicros, write));
    }

    /// <summary>Completes every sync due by <paramref name="nowMicros"/>.</summary>
    public void SyncUpTo(long nowMicros)
    {
        while (unsynced.Count > 0 && unsynced.Peek().DurableAtMicros <= nowMicros)
            durable.Persist(unsynced.Dequeue().Write);
    }

    /// <summary>Power loss at <paramref name="nowMicros"/>: what was synced stays, the rest is gone.</summary>
    public void Crash(long nowMicros)
    {
        SyncUpTo(nowMicros);
        LostWrites += unsynced.Count;
        unsynced.Clear();
    }

    public PersistentState Load() => durable.Load();
}
