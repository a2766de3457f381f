using MessagePack;

namespace Raft.Net.Wire.Frames;

/// <summary>Union tag 16: <c>[requestId, clientId, sequence, operation, key, value, expected]</c>.</summary>
[MessagePackObject]
public sealed class ClientRequestFrame : ClientBody
{
    [Key(1)] public long ClientId { get; init; }
    [Key(2)] public long Sequence { get; init; }
    [Key(3)] public int Operation { get; init; }
    [Key(4)] public string? Key { get; init; }
    [Key(5)] public string? Value { get; init; }
    [Key(6)] public string? Expected { get; init; }
}
