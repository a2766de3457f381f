namespace Raft.Core.Messages;

/// <summary>
/// Answer to <see cref="InstallSnapshot"/>. <see cref="NextOffset"/> is how many bytes of the
/// snapshot ending at <see cref="LastIncludedIndex"/> the follower holds, i.e. where the next chunk
/// must start; a lost or duplicated chunk is thus repaired by resending from there. With
/// <see cref="Done"/> the follower has the snapshot (installed now or already covered by its
/// commit index) and its log matches the leader's up to <see cref="LastIncludedIndex"/>.
/// </summary>
public sealed record InstallSnapshotResponse(
    NodeId From, NodeId To, long Term, long Id, long InReplyTo,
    long LastIncludedIndex, long NextOffset, bool Done)
    : Message(From, To, Term, Id)
{
    public override string Kind => "InstallSnapshotResponse";

    public override string ToString() =>
        $"InstallSnapshotResponse#{Id} {From}->{To} term={Term} re={InReplyTo} last={LastIncludedIndex} {(Done ? "installed" : $"next offset={NextOffset}")}";
}
