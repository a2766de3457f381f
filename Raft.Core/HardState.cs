namespace Raft.Core;

/// <summary>
/// The part of Figure 2's persistent state that is not the log: currentTerm and votedFor.
/// It must be on stable storage before any message that depends on it leaves the node.
/// </summary>
public readonly record struct HardState(long Term, NodeId? VotedFor)
{
    public override string ToString() => $"term={Term} vote={VotedFor?.ToString() ?? "-"}";
}
