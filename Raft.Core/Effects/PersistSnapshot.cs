using Raft.Core.Log;

namespace Raft.Core.Effects;

/// <summary>
/// Store <see cref="Snapshot"/> durably, replacing any older snapshot, and drop the stored entries
/// it covers. Stored entries after it are kept if the stored log holds the snapshot's last entry
/// (same index and term), and discarded otherwise (Figure 13, steps 6-7). The snapshot and the
/// prefix removal must become durable together (atomically): a crash must leave either the old
/// snapshot with its entries or the new one.
/// </summary>
public sealed record PersistSnapshot(Snapshot Snapshot) : Effect
{
    public override string ToString() => $"persist {Snapshot}";
}
