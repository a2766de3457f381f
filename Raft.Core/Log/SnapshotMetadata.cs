using Raft.Core.Membership;

namespace Raft.Core.Log;

/// <summary>
/// Where a snapshot ends (§7, Figure 12): the last index and term it replaces, the log's
/// hash-chain digest at that index, so digests of longer prefixes stay comparable with
/// uncompacted logs, and the configuration in force at that index (thesis §5.1), since the
/// configuration entries it replaces are gone from the log.
/// </summary>
public readonly record struct SnapshotMetadata(long LastIncludedIndex, long LastIncludedTerm, ulong Digest, Configuration Configuration)
{
    /// <summary>No snapshot: the log starts at index 1.</summary>
    public static SnapshotMetadata None { get; } = new(0, 0, 0, Configuration.Empty);

    public override string ToString() => $"snapshot up to {LastIncludedIndex}@{LastIncludedTerm}";
}
