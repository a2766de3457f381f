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

    /// <summary>How many syncs wrote something.</summary>
    long Syncs { get; }
}
