namespace Raft.Core.Node;

/// <summary>
/// The answer to a proposal: accepted at (Index, Term), which is committed once the node reports
/// that index committed with that term still in place; or refused for <see cref="Refusal"/>, with
/// a hint of which node to try. For a <see cref="Inputs.ChangeMembership"/>, Index is the
/// configuration entry that records the change. Adding a voter that has not caught up takes two
/// entries (thesis §4.2.1): the answer names the first, which adds it as a joining learner; the
/// promotion follows later, appended by whichever leader is in office once it has caught up.
/// </summary>
public sealed record ProposeOutcome(bool Accepted, long Index, long Term, NodeId? LeaderHint,
    ProposeRefusal Refusal = ProposeRefusal.None)
{
    public static ProposeOutcome NotLeader(NodeId? hint) => new(false, 0, 0, hint, ProposeRefusal.NotLeader);

    /// <summary>Refused by a leader in the middle of a leadership transfer; the leader is still <paramref name="leader"/>.</summary>
    public static ProposeOutcome TransferInProgress(NodeId leader) =>
        new(false, 0, 0, leader, ProposeRefusal.LeadershipTransferInProgress);

    /// <summary>Refused by the leader <paramref name="leader"/> for <paramref name="refusal"/>.</summary>
    public static ProposeOutcome Refused(NodeId leader, ProposeRefusal refusal) => new(false, 0, 0, leader, refusal);
}
