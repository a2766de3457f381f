using MessagePack;

namespace Raft.Net.Wire.Frames;

/// <summary>Union tag 8: <c>[from, to, term, id, inReplyTo, lastIncludedIndex, nextOffset, done]</c>.</summary>
[MessagePackObject]
public sealed class InstallSnapshotResponseBody : PeerBody
{
    [Key(4)] public long InReplyTo { get; init; }
    [Key(5)] public long LastIncludedIndex { get; init; }
    [Key(6)] public long NextOffset { get; init; }
    [Key(7)] public bool Done { get; init; }
}
