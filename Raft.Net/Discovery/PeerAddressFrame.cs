using MessagePack;

namespace Raft.Net.Discovery;

/// <summary>Wire form of a <see cref="PeerAddress"/> in an announcement's peer list: <c>[id, raftAddress, clientAddress]</c>.</summary>
[MessagePackObject]
public sealed class PeerAddressFrame
{
    [Key(0)] public int Id { get; init; }
    [Key(1)] public string? RaftAddress { get; init; }
    [Key(2)] public string? ClientAddress { get; init; }
}
