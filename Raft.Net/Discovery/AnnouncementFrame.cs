using MessagePack;

namespace Raft.Net.Discovery;

/// <summary>
/// Wire form of an <see cref="Announcement"/>: <c>[version, group, clusterId, id, raftAddress, clientAddress, [[id, raft, client]...]]</c>.
/// Fields are nullable because they come from untrusted bytes; <see cref="AnnouncementCodec"/> checks them.
/// </summary>
[MessagePackObject]
public sealed class AnnouncementFrame
{
    [Key(0)] public int Version { get; init; }
    [Key(1)] public string? Group { get; init; }
    [Key(2)] public string? ClusterId { get; init; }
    [Key(3)] public int Id { get; init; }
    [Key(4)] public string? RaftAddress { get; init; }
    [Key(5)] public string? ClientAddress { get; init; }
    [Key(6)] public PeerAddressFrame[]? Peers { get; init; }
}
