using Raft.Core.Inputs;

namespace Raft.Core.Node;

/// <summary>
/// Thesis §10.2.1: a leader may write its new entries to its disk in parallel with sending them to
/// the followers, provided it counts itself in the commit majority only once its own write is
/// durable. With <see cref="RaftOptions.LeaderPersistsInParallel"/> the driver may release a
/// leader's AppendEntries before the PersistEntries effects that precede it are durable, and
/// reports durability back with <see cref="LogPersisted"/>; without it, every effect waits for the
/// persists before it and the leader's whole log counts as durable (the effect contract).
/// Invariant: persistedIndex &lt;= log.LastIndex, and the log holds the same entries up to it as
/// the disk does.
/// </summary>
public sealed partial class RaftNode
{
    private long persistedIndex;

    /// <summary>How far this node's own log counts towards a commit majority.</summary>
    private long SelfMatch => options.LeaderPersistsInParallel ? Math.Min(persistedIndex, log.LastIndex) : log.LastIndex;

    /// <summary>The driver made the log durable up to an entry; if the log still holds that entry, count it.</summary>
    private void HandleLogPersisted(LogPersisted persisted)
    {
        var index = Math.Min(persisted.Index, log.LastIndex);
        if (index <= persistedIndex || index < log.SnapshotIndex) return;
        // Log Matching (§5.3): the same term at the same index means the same entries up to it.
        if (index != persisted.Index || log.TermAt(index) != persisted.Term) return;
        persistedIndex = index;
        if (Role == Role.Leader) MaybeAdvanceCommit();
    }

    /// <summary>Entries from <paramref name="index"/> on are being replaced: what the disk held there is no longer this log.</summary>
    private void ForgetPersistedFrom(long index) => persistedIndex = Math.Min(persistedIndex, index - 1);
}
