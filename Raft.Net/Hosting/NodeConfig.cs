using Raft.Core;
using Raft.Net.StateMachine;

namespace Raft.Net.Hosting;

/// <summary>How to run one real node.</summary>
public sealed record NodeConfig
{
    public required NodeId Id { get; init; }

    /// <summary>
    /// The address book: the server-to-server address (tcp://127.0.0.1:port) of every server this
    /// node may ever talk to, this node's included. Membership changes (thesis §4) move servers in
    /// and out of the configuration, never out of the address book; frames from servers outside it are dropped.
    /// </summary>
    public required IReadOnlyDictionary<NodeId, string> RaftAddresses { get; init; }

    /// <summary>
    /// The voters the cluster started with, used until a configuration in the log or snapshot
    /// replaces them. Null means every server in <see cref="RaftAddresses"/>; empty means this
    /// server waits to be added by the leader and never campaigns before.
    /// </summary>
    public IReadOnlyList<NodeId>? InitialVoters { get; init; }

    /// <summary>Where this node listens for key-value clients.</summary>
    public required string ClientAddress { get; init; }

    public required string DataDirectory { get; init; }

    /// <summary>Frames naming another cluster are dropped.</summary>
    public string ClusterId { get; init; } = "raft";

    /// <summary>Length of one tick of the core's clock.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>fsync before sending what depends on a write. Off only for tests that do not crash.</summary>
    public bool Fsync { get; init; } = true;

    public RaftOptions Options { get; init; } = new();

    /// <summary>
    /// Log compaction (§7): snapshot the state machine and compact the log every this many applied
    /// entries; 0 (the default) never compacts. Note that a cluster run's parity report lists only
    /// the commands still in the log, so it cannot vouch for commands compacted away.
    /// </summary>
    public int SnapshotEveryEntries { get; init; }

    /// <summary>
    /// Where the key-value state lives: in memory, rebuilt from the snapshot and the log at each
    /// start, or in a SQLite database in <see cref="DataDirectory"/> that keeps it across restarts.
    /// Every node of a cluster must use the same kind: snapshots carry the store's own format.
    /// </summary>
    public StoreKind Store { get; init; } = StoreKind.Memory;

    /// <summary>Seed of the election-timeout jitter (mixed with node id and incarnation).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Serve gets with ReadIndex (thesis §6.4, no log entry); false sends them through the log like writes.</summary>
    public bool ReadIndexReads { get; init; } = true;

    /// <summary>
    /// Find peers at run time and let the leader change membership as they come and go
    /// (<see cref="Discovery.PeerDiscovery"/>); null keeps the static address book.
    /// </summary>
    public Discovery.DiscoveryOptions? Discovery { get; init; }

    /// <summary>
    /// Most client requests a leader holds unanswered (writes waiting to apply plus reads waiting for
    /// ReadIndex). One more is answered Busy at once, without reaching the log, so an overload grows
    /// neither the log's uncommitted tail nor this node's memory; clients retry.
    /// </summary>
    public int MaxPendingClientRequests { get; init; } = 4_096;

    /// <summary>Record every input the core receives (for replay parity and for the checkers).</summary>
    public bool RecordInputs { get; init; } = true;
}
