using Raft.Core.Effects;
using Raft.Core.Log;

namespace Raft.Core.Storage;

/// <summary>Storage that lives as long as the object: "durable" across a simulated node restart.</summary>
public sealed class MemoryStorage : IRaftStorage
{
    private readonly List<LogEntry> entries = []; // entries after the snapshot, from Snapshot index + 1

    public HardState HardState { get; private set; }

    /// <summary>The latest stored snapshot, or null.</summary>
    public Snapshot? Snapshot { get; private set; }

    /// <summary>Stored entries after the snapshot.</summary>
    public IReadOnlyList<LogEntry> Entries => entries;

    private long SnapshotIndex => Snapshot?.LastIncludedIndex ?? 0;

    private long LastIndex => SnapshotIndex + entries.Count;

    public PersistentState Load() => new(HardState, entries.ToArray(), Snapshot);

    public void Persist(Effect effect)
    {
        switch (effect)
        {
            case PersistHardState hard:
                HardState = hard.State;
                break;
            case PersistEntries write:
                WriteEntries(write);
                break;
            case PersistSnapshot stored:
                StoreSnapshot(stored.Snapshot);
                break;
        }
    }

    private void WriteEntries(PersistEntries write)
    {
        if (write.FirstIndex <= SnapshotIndex || write.FirstIndex > LastIndex + 1)
            throw new InvalidOperationException($"write at {write.FirstIndex} outside [{SnapshotIndex + 1}, {LastIndex + 1}]");
        var from = (int)(write.FirstIndex - SnapshotIndex - 1);
        entries.RemoveRange(from, entries.Count - from);
        entries.AddRange(write.Entries);
    }

    /// <summary>Figure 13, steps 6-7: keep the entries after the snapshot only if the snapshot's last entry is among ours.</summary>
    private void StoreSnapshot(Snapshot snapshot)
    {
        var index = snapshot.LastIncludedIndex;
        if (index <= SnapshotIndex) return; // never go back to an older snapshot
        var keep = index <= LastIndex && entries[(int)(index - SnapshotIndex - 1)].Term == snapshot.LastIncludedTerm;
        if (keep) entries.RemoveRange(0, (int)(index - SnapshotIndex));
        else entries.Clear();
        Snapshot = snapshot;
    }
}
