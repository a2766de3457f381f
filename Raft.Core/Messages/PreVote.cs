namespace Raft.Core.Messages;

/// <summary>
/// PreVote (thesis §9.6): "would you vote for me if I started an election?" <see cref="Message.Term"/>
/// is the term the sender would campaign in (its current term + 1); the sender has not moved to it,
/// and a receiver never adopts it. The fields are those of <see cref="RequestVote"/>.
/// </summary>
public sealed record PreVote(NodeId From, NodeId To, long Term, long Id, long LastLogIndex, long LastLogTerm)
    : Message(From, To, Term, Id)
{
    public override string Kind => "PreVote";

    public override string ToString() => $"PreVote#{Id} {From}->{To} term={Term} last={LastLogIndex}@{LastLogTerm}";
}
