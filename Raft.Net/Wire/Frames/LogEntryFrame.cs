using MessagePack;

namespace Raft.Net.Wire.Frames;

/// <summary>A log entry: <c>[index, term, kind, command]</c>; kind 0 = command, 1 = no-op (empty command).</summary>
[MessagePackObject]
public sealed class LogEntryFrame
{
    [Key(0)] public long Index { get; init; }
    [Key(1)] public long Term { get; init; }
    [Key(2)] public int Kind { get; init; }
    [Key(3)] public byte[]? Command { get; init; }
}
