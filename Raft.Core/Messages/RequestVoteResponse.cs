namespace Raft.Core.Messages;

/// <summary>Answer to <see cref="RequestVote"/>; <see cref="Message.Term"/> is the voter's current term.</summary>
public sealed record RequestVoteResponse(NodeId From, NodeId To, long Term, long Id, long InReplyTo, bool VoteGranted)
    : Message(From, To, Term, Id)
{
    public override string Kind => "RequestVoteResponse";

    public override string ToString() => $"RequestVoteResponse#{Id} {From}->{To} term={Term} re={InReplyTo} {(VoteGranted ? "granted" : "rejected")}";
}
