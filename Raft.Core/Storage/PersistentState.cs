using Raft.Core.Log;

namespace Raft.Core.Storage;

/// <summary>
/// What a node finds on its disk when it starts: hard state, an optional snapshot (§7), and the
/// log entries after it (from 1 without a snapshot, else from the snapshot's last index + 1).
/// </summary>
public sealed record PersistentState(HardState HardState, IReadOnlyList<LogEntry> Entries, Snapshot? Snapshot = null)
{
    public static PersistentState Empty { get; } = new(new HardState(0, null), []);
}
