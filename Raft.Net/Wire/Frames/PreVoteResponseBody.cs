using MessagePack;

namespace Raft.Net.Wire.Frames;

/// <summary>Union tag 5: <c>[from, to, term, id, inReplyTo, voteGranted]</c>.</summary>
[MessagePackObject]
public sealed class PreVoteResponseBody : PeerBody
{
    [Key(4)] public long InReplyTo { get; init; }
    [Key(5)] public bool VoteGranted { get; init; }
}
