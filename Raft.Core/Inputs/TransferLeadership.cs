namespace Raft.Core.Inputs;

/// <summary>
/// Ask the leader to hand leadership to <see cref="Target"/> (thesis §3.10). Ignored by a node
/// that is not the leader, and for a target that is the leader itself or not a member.
/// </summary>
public sealed record TransferLeadership(NodeId Target) : Input
{
    public override string ToString() => $"transfer leadership to {Target}";
}
