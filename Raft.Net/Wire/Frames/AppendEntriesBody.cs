using MessagePack;

namespace Raft.Net.Wire.Frames;

/// <summary>Union tag 2: <c>[from, to, term, id, prevLogIndex, prevLogTerm, entries, leaderCommit]</c>.</summary>
[MessagePackObject]
public sealed class AppendEntriesBody : PeerBody
{
    [Key(4)] public long PrevLogIndex { get; init; }
    [Key(5)] public long PrevLogTerm { get; init; }
    [Key(6)] public LogEntryFrame?[]? Entries { get; init; }
    [Key(7)] public long LeaderCommit { get; init; }
}
