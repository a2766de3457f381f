namespace Raft.Core.Log;

/// <summary>
/// Read-only view of a node's log, for checkers, views and tests. Indices start at 1; after
/// compaction (§7) entries start at <see cref="FirstIndex"/>, and only the term and digest of
/// <see cref="SnapshotIndex"/> remain known below it.
/// </summary>
public interface IReadOnlyRaftLog
{
    /// <summary>Last index covered by the snapshot (0 without one); FirstIndex - 1.</summary>
    long SnapshotIndex { get; }

    /// <summary>Index of the first entry held, SnapshotIndex + 1.</summary>
    long FirstIndex { get; }

    /// <summary>Index of the last entry, 0 when empty.</summary>
    long LastIndex { get; }

    /// <summary>Term of the last entry, 0 when empty.</summary>
    long LastTerm { get; }

    /// <summary>Term at <paramref name="index"/>; 0 for index 0. Throws outside [SnapshotIndex, LastIndex].</summary>
    long TermAt(long index);

    /// <summary>The entry at <paramref name="index"/> in [FirstIndex, LastIndex]; throws for a compacted index.</summary>
    LogEntry EntryAt(long index);

    /// <summary>
    /// Hash-chain digest of the prefix [1, index]: equal digests mean (with overwhelming
    /// probability) equal prefixes, so two logs compare by one number. 0 for index 0. Known for
    /// [SnapshotIndex, LastIndex]: compaction keeps the digest at the snapshot point.
    /// </summary>
    ulong DigestAt(long index);
}
