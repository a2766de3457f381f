namespace Raft.Core.Node;

/// <summary>
/// The answer to a proposal: accepted at (Index, Term), which is committed once the node reports
/// that index committed with that term still in place; or refused for <see cref="Refusal"/>, with
/// a hint of which node to try.
/// </summary>
public sealed record ProposeOutcome(bool Accepted, long Index, long Term, NodeId? LeaderHint,
    ProposeRefusal Refusal = ProposeRefusal.None)
{
    public static ProposeOutcome NotLeader(NodeId? hint) => new(false, 0, 0, hint, ProposeRefusal.NotLeader);

    /// <summary>Refused by a leader in the middle of a leadership transfer; the leader is still <paramref name="leader"/>.</summary>
    public static ProposeOutcome TransferInProgress(NodeId leader) =>
        new(false, 0, 0, leader, ProposeRefusal.LeadershipTransferInProgress);
}
