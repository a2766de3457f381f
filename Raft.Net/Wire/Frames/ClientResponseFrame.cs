using MessagePack;

namespace Raft.Net.Wire.Frames;

/// <summary>Union tag 17: <c>[requestId, status, resultOk, resultValue, leaderHint]</c>; leaderHint 0 = unknown.</summary>
[MessagePackObject]
public sealed class ClientResponseFrame : ClientBody
{
    [Key(1)] public int Status { get; init; }
    [Key(2)] public bool ResultOk { get; init; }
    [Key(3)] public string? ResultValue { get; init; }
    [Key(4)] public int LeaderHint { get; init; }
}
