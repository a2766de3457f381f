namespace Raft.Core.Node;

/// <summary>How a leader sends to one follower.</summary>
public enum ReplicationState
{
    /// <summary>Where the follower's log matches is unknown: one AppendEntries at a time, walking nextIndex back on rejection.</summary>
    Probe,

    /// <summary>The follower matched: stream entries optimistically, up to the in-flight bound.</summary>
    Replicate,

    /// <summary>
    /// The follower needs entries the leader has compacted (§7): send the snapshot chunk by chunk,
    /// one outstanding at a time, and no entries until the follower has installed it.
    /// </summary>
    Snapshot,
}
