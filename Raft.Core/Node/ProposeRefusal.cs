namespace Raft.Core.Node;

/// <summary>Why a proposal was refused.</summary>
public enum ProposeRefusal
{
    /// <summary>Not refused: the proposal was accepted.</summary>
    None,

    /// <summary>This node is not the leader; try <see cref="ProposeOutcome.LeaderHint"/>.</summary>
    NotLeader,

    /// <summary>
    /// The leader is handing leadership to another node (thesis §3.10) and accepts no new
    /// commands until the transfer completes or aborts; retry shortly.
    /// </summary>
    LeadershipTransferInProgress,
}
