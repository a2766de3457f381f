namespace Raft.Core.Node;

/// <summary>Why a read was refused.</summary>
public enum ReadRefusal
{
    /// <summary>This node is not the leader; try the hinted one.</summary>
    NotLeader,

    /// <summary>
    /// A new leader has not yet committed an entry of its own term, so it does not know the
    /// latest commit index (thesis §6.4, step 1); retry shortly at the same node.
    /// </summary>
    LeaderNotReady,

    /// <summary>The leader lost leadership (or its term) before it could confirm the read.</summary>
    LeadershipLost,

    /// <summary>Too many reads are waiting for confirmation; retry shortly.</summary>
    TooManyPendingReads,
}
