namespace Raft.Core.Messages;

/// <summary>
/// RequestVote RPC (Figure 2): a candidate asks for a vote in <see cref="Message.Term"/>.
/// <see cref="LeadershipTransfer"/> is set when the candidate campaigns because the leader told it
/// to (TimeoutNow, thesis §3.10); voters then set aside the leader-lease rule of thesis §4.2.3,
/// since the leader itself asked for this election.
/// </summary>
public sealed record RequestVote(NodeId From, NodeId To, long Term, long Id, long LastLogIndex, long LastLogTerm,
    bool LeadershipTransfer = false)
    : Message(From, To, Term, Id)
{
    public override string Kind => "RequestVote";

    public override string ToString() =>
        $"RequestVote#{Id} {From}->{To} term={Term} last={LastLogIndex}@{LastLogTerm}{(LeadershipTransfer ? " transfer" : "")}";
}
