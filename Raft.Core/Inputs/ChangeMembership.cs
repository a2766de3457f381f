using Raft.Core.Membership;

namespace Raft.Core.Inputs;

/// <summary>
/// Ask the leader for a single-server membership change (thesis §4). The leader appends the new
/// configuration to its log and uses it at once; the answer comes back as the step's
/// <see cref="Node.Output.Proposal"/>, refused when this node is not the leader or another change
/// is still uncommitted.
/// </summary>
public sealed record ChangeMembership(MembershipChangeKind Kind, NodeId Node) : Input
{
    public override string ToString() => Kind switch
    {
        MembershipChangeKind.AddVoter => $"add voter {Node}",
        MembershipChangeKind.AddLearner => $"add learner {Node}",
        _ => $"remove {Node}",
    };
}
