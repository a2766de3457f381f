namespace Raft.Core.Messages;

/// <summary>
/// Answer to <see cref="AppendEntries"/>.
/// On success, <see cref="Index"/> is the last index known to match the leader's log.
/// On rejection, <see cref="Index"/> is the PrevLogIndex that failed the consistency check, and
/// (<see cref="HintIndex"/>, <see cref="HintTerm"/>) let the leader skip a whole conflicting term
/// in one round trip (§5.3, "fast backtracking"): HintTerm is the follower's term at PrevLogIndex
/// and HintIndex the first index of that term, or HintTerm = 0 and HintIndex = lastIndex + 1 when
/// the follower's log is too short.
/// </summary>
public sealed record AppendEntriesResponse(
    NodeId From, NodeId To, long Term, long Id, long InReplyTo,
    bool Success, long Index, long HintIndex, long HintTerm)
    : Message(From, To, Term, Id)
{
    public override string Kind => "AppendEntriesResponse";

    public override string ToString() => Success
        ? $"AppendEntriesResponse#{Id} {From}->{To} term={Term} re={InReplyTo} ok match={Index}"
        : $"AppendEntriesResponse#{Id} {From}->{To} term={Term} re={InReplyTo} reject prev={Index} hint={HintIndex}@{HintTerm}";
}
