namespace Raft.Net.StateMachine;

/// <summary>Where a node keeps its key-value state (<c>raft-net node --store</c>).</summary>
public enum StoreKind
{
    /// <summary>In memory (<see cref="MemoryKvStore"/>): rebuilt from the snapshot and the log at every start.</summary>
    Memory,

    /// <summary>In a SQLite database in the data directory (<see cref="SqliteKvStore"/>): survives restarts.</summary>
    Sqlite,
}
