using Raft.Core;
using Raft.Core.Membership;

namespace Raft.Net.Hosting;

/// <summary>
/// A snapshot of a node's state and counters, safe to read from any thread. <see cref="DroppedByReason"/>
/// breaks <see cref="FramesDropped"/> down by reason (docs/wire-format.md, "What a receiver drops").
/// </summary>
public sealed record NodeMetrics(
    NodeId Id, int Incarnation, Role Role, long Term, NodeId? Leader, long CommitIndex, long LastIndex, ulong CommittedDigest,
    long MessagesIn, long MessagesOut, long FramesDropped, long ClientRequests, long Syncs,
    Configuration Configuration, long ConfigurationIndex, string DroppedByReason = "none")
{
    /// <summary>Whether <see cref="Configuration"/> is committed (the initial one, at index 0, always is).</summary>
    public bool ConfigurationCommitted => CommitIndex >= ConfigurationIndex;
}
