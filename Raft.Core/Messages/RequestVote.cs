namespace Raft.Core.Messages;

/// <summary>RequestVote RPC (Figure 2): a candidate asks for a vote in <see cref="Message.Term"/>.</summary>
public sealed record RequestVote(NodeId From, NodeId To, long Term, long Id, long LastLogIndex, long LastLogTerm)
    : Message(From, To, Term, Id)
{
    public override string Kind => "RequestVote";

    public override string ToString() => $"RequestVote#{Id} {From}->{To} term={Term} last={LastLogIndex}@{LastLogTerm}";
}
