using MessagePack;

namespace Raft.Net.Wire.Frames;

/// <summary>Union tag 0: <c>[from, to, term, id, lastLogIndex, lastLogTerm, leadershipTransfer]</c>.</summary>
[MessagePackObject]
public sealed class RequestVoteBody : PeerBody
{
    [Key(4)] public long LastLogIndex { get; init; }
    [Key(5)] public long LastLogTerm { get; init; }
    [Key(6)] public bool LeadershipTransfer { get; init; }
}
