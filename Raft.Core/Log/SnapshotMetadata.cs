namespace Raft.Core.Log;

/// <summary>
/// Where a snapshot ends (§7, Figure 12): the last index and term it replaces, and the log's
/// hash-chain digest at that index, so digests of longer prefixes stay comparable with
/// uncompacted logs.
/// </summary>
public readonly record struct SnapshotMetadata(long LastIncludedIndex, long LastIncludedTerm, ulong Digest)
{
    /// <summary>No snapshot: the log starts at index 1.</summary>
    public static SnapshotMetadata None { get; } = new(0, 0, 0);

    public override string ToString() => $"snapshot up to {LastIncludedIndex}@{LastIncludedTerm}";
}
