using Raft.Core.Storage;

namespace Raft.Net.Storage;

/// <summary>
/// What the host needs of a node's disk: the core's storage, plus the explicit <see cref="Sync"/>
/// that the durability barrier waits for. <see cref="FileStorage"/> is the real one; tests wrap it
/// to watch the order of writes, syncs and what leaves the node.
/// </summary>
internal interface INodeStorage : IRaftStorage, IDisposable
{
    /// <summary>Makes everything persisted so far durable.</summary>
    void Sync();

    /// <summary>
    /// Starts a sync and returns its slow part (an fsync) for the caller to run on another thread, or
    /// null if everything is durable already; see <see cref="FileStorage.SyncLater"/> for the contract.
    /// </summary>
    Action? SyncLater();

    /// <summary>How many syncs wrote something.</summary>
    long Syncs { get; }
}
