namespace Raft.Core.Messages;

/// <summary>
/// TimeoutNow (thesis §3.10): the leader tells a caught-up follower to start an election at once,
/// as if its election timeout had elapsed, to hand leadership over to it.
/// </summary>
public sealed record TimeoutNow(NodeId From, NodeId To, long Term, long Id)
    : Message(From, To, Term, Id)
{
    public override string Kind => "TimeoutNow";

    public override string ToString() => $"TimeoutNow#{Id} {From}->{To} term={Term}";
}
