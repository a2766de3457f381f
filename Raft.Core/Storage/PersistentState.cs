using Raft.Core.Log;

namespace Raft.Core.Storage;

/// <summary>What a node finds on its disk when it starts: hard state and log entries 1..n.</summary>
public sealed record PersistentState(HardState HardState, IReadOnlyList<LogEntry> Entries)
{
    public static PersistentState Empty { get; } = new(new HardState(0, null), []);
}
