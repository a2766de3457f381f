namespace Raft.Core.Messages;

/// <summary>
/// Answer to <see cref="PreVote"/>. A granted answer carries the term that was asked about (the
/// pre-candidate's term + 1), so the pre-candidate can tell it belongs to its current round; a
/// refusal carries the voter's current term, which the pre-candidate adopts if it is higher (§5.1).
/// </summary>
public sealed record PreVoteResponse(NodeId From, NodeId To, long Term, long Id, long InReplyTo, bool VoteGranted)
    : Message(From, To, Term, Id)
{
    public override string Kind => "PreVoteResponse";

    public override string ToString() => $"PreVoteResponse#{Id} {From}->{To} term={Term} re={InReplyTo} {(VoteGranted ? "granted" : "rejected")}";
}
