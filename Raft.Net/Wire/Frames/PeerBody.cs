using MessagePack;

namespace Raft.Net.Wire.Frames;

/// <summary>
/// The union of the Raft messages; on the wire <c>[tag, body]</c>. Every body starts with
/// the fields of <c>Message</c>: <c>from, to, term, id</c> (keys 0-3). Tags are part of the
/// wire format: never renumber them, only add.
/// </summary>
[Union(0, typeof(RequestVoteBody))]
[Union(1, typeof(RequestVoteResponseBody))]
[Union(2, typeof(AppendEntriesBody))]
[Union(3, typeof(AppendEntriesResponseBody))]
[Union(4, typeof(PreVoteBody))]
[Union(5, typeof(PreVoteResponseBody))]
[Union(6, typeof(TimeoutNowBody))]
[Union(7, typeof(InstallSnapshotBody))]
[Union(8, typeof(InstallSnapshotResponseBody))]
public abstract class PeerBody
{
    [Key(0)] public int From { get; init; }
    [Key(1)] public int To { get; init; }
    [Key(2)] public long Term { get; init; }
    [Key(3)] public long Id { get; init; }
}
