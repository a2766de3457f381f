using MessagePack;

namespace Raft.Net.Wire.Frames;

/// <summary>Union tag 4: <c>[from, to, term, id, lastLogIndex, lastLogTerm]</c>; term is the one the sender would campaign in.</summary>
[MessagePackObject]
public sealed class PreVoteBody : PeerBody
{
    [Key(4)] public long LastLogIndex { get; init; }
    [Key(5)] public long LastLogTerm { get; init; }
}
