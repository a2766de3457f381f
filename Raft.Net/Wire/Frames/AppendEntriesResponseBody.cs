using MessagePack;

namespace Raft.Net.Wire.Frames;

/// <summary>Union tag 3: <c>[from, to, term, id, inReplyTo, success, index, hintIndex, hintTerm]</c>.</summary>
[MessagePackObject]
public sealed class AppendEntriesResponseBody : PeerBody
{
    [Key(4)] public long InReplyTo { get; init; }
    [Key(5)] public bool Success { get; init; }
    [Key(6)] public long Index { get; init; }
    [Key(7)] public long HintIndex { get; init; }
    [Key(8)] public long HintTerm { get; init; }
}
