using MessagePack;

namespace Raft.Net.Wire.Frames;

/// <summary>
/// Union tag 7: <c>[from, to, term, id, lastIncludedIndex, lastIncludedTerm, digest, offset, data, done, configuration]</c>;
/// the configuration is <see cref="Raft.Core.Membership.Configuration.Encode"/>'s form.
/// </summary>
[MessagePackObject]
public sealed class InstallSnapshotBody : PeerBody
{
    [Key(4)] public long LastIncludedIndex { get; init; }
    [Key(5)] public long LastIncludedTerm { get; init; }
    [Key(6)] public ulong Digest { get; init; }
    [Key(7)] public long Offset { get; init; }
    [Key(8)] public byte[]? Data { get; init; }
    [Key(9)] public bool Done { get; init; }
    [Key(10)] public byte[]? Configuration { get; init; }
}
