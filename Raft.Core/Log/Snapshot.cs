namespace Raft.Core.Log;

/// <summary>
/// A snapshot (§7): the state machine's state as of <see cref="SnapshotMetadata.LastIncludedIndex"/>,
/// encoded by the state machine, and the metadata that lets the log continue after it.
/// </summary>
public sealed record Snapshot(SnapshotMetadata Metadata, byte[] Data)
{
    public long LastIncludedIndex => Metadata.LastIncludedIndex;

    public long LastIncludedTerm => Metadata.LastIncludedTerm;

    public override string ToString() => $"{Metadata} ({Data.Length} bytes)";
}
