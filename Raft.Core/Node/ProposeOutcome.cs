namespace Raft.Core.Node;

/// <summary>
/// The answer to a proposal: accepted at (Index, Term), which is committed once the node reports
/// that index committed with that term still in place; or refused because this node is not the
/// leader, with a hint of who is.
/// </summary>
public sealed record ProposeOutcome(bool Accepted, long Index, long Term, NodeId? LeaderHint)
{
    public static ProposeOutcome NotLeader(NodeId? hint) => new(false, 0, 0, hint);
}
