namespace Raft.Core.Log;

/// <summary>Read-only view of a node's log, for checkers, views and tests. Indices start at 1.</summary>
public interface IReadOnlyRaftLog
{
    /// <summary>Index of the last entry, 0 when empty.</summary>
    long LastIndex { get; }

    /// <summary>Term of the last entry, 0 when empty.</summary>
    long LastTerm { get; }

    /// <summary>Term at <paramref name="index"/>; 0 for index 0. Throws outside [0, LastIndex].</summary>
    long TermAt(long index);

    /// <summary>The entry at <paramref name="index"/> in [1, LastIndex].</summary>
    LogEntry EntryAt(long index);

    /// <summary>
    /// Hash-chain digest of the prefix [1, index]: equal digests mean (with overwhelming
    /// probability) equal prefixes, so two logs compare by one number. 0 for index 0.
    /// </summary>
    ulong DigestAt(long index);
}
