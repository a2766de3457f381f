using Raft.Core.Membership;

namespace Raft.Core.Messages;

/// <summary>
/// InstallSnapshot RPC (§7, Figure 13): one chunk of the leader's snapshot, starting at
/// <see cref="Offset"/> in its data; <see cref="Done"/> on the last chunk. The leader sends it to a
/// follower that needs entries the leader has compacted away. The metadata, including the
/// configuration in force at the snapshot's last index (thesis §5.1), travels in every chunk so
/// that the follower can tell chunks of different snapshots apart.
/// </summary>
public sealed record InstallSnapshot(
    NodeId From, NodeId To, long Term, long Id,
    long LastIncludedIndex, long LastIncludedTerm, ulong Digest, Configuration Configuration, long Offset, byte[] Data, bool Done)
    : Message(From, To, Term, Id)
{
    public override string Kind => "InstallSnapshot";

    public override string ToString() =>
        $"InstallSnapshot#{Id} {From}->{To} term={Term} last={LastIncludedIndex}@{LastIncludedTerm} offset={Offset} bytes={Data.Length}{(Done ? " done" : "")}";
}
