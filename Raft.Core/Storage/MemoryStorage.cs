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

    /// <summary>Index of the last entry the stored snapshot covers (0 without one).</summary>
    public long SnapshotIndex => Snapshot?.LastIncludedIndex ?? 0;

    /// <summary>Index of the last stored entry, or of the snapshot's last entry when no entry follows it.</summary>
    public long LastIndex => SnapshotIndex + entries.Count;

    /// <summary>The term of the stored entry at <paramref name="index"/> (the snapshot's term at its last index), or null if not stored.</summary>
    public long? TermAt(long index)
    {
        if (index == SnapshotIndex && Snapshot is { } snapshot) return snapshot.LastIncludedTerm;
        if (index <= SnapshotIndex || index > LastIndex) return null;
        return entries[(int)(index - SnapshotIndex - 1)].Term;
    }

    /// <summary>An independent copy holding the same hard state, snapshot and entries.</summary>
    public MemoryStorage Copy()
    {
        var copy = new MemoryStorage { HardState = HardState, Snapshot = Snapshot };
        copy.entries.AddRange(entries);
        return copy;
    }

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
        for (var i = 0; i < write.Entries.Count; i++) entries.Add(write.Entries[i]);
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
