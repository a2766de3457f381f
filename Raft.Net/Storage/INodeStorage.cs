using Raft.Core.Storage;

namespace Raft.Net.Storage;

/// <summary>
/// What the host needs of a node's disk: the core's storage, plus the explicit <see cref="Sync"/>
/// that the durability barrier waits for. <see cref="FileStorage"/> is the real one; tests wrap it
/// to watch the order of writes, syncs and what leaves the node, or to make it slow.
/// </summary>
/// <remarks>
/// While the node runs, only its disk thread calls <see cref="IRaftStorage.Persist"/> and
/// <see cref="Sync"/> (see <c>Hosting.DiskThread</c>); <see cref="IRaftStorage.Load"/> comes before
/// and <see cref="IDisposable.Dispose"/> after, on whatever thread starts or stops the node.
/// </remarks>
internal interface INodeStorage : IRaftStorage, IDisposable
{
    /// <summary>Makes everything persisted so far durable.</summary>
    void Sync();
}
