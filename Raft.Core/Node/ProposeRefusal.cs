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

    /// <summary>A membership change is still uncommitted; one change at a time (thesis §4.1). Retry once it commits.</summary>
    MembershipChangeInProgress,

    /// <summary>A new leader has not yet committed an entry of its term, so it may not change the membership yet; retry shortly.</summary>
    LeaderNotReady,

    /// <summary>
    /// The membership change makes no sense: adding a member (a voter, or a learner already joining
    /// as a voter, which a leader promotes once it has caught up), removing a non-member, or removing the last voter.
    /// </summary>
    MembershipChangeInvalid,
}
