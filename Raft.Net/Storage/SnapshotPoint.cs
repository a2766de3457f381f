namespace Raft.Net.Storage;

/// <summary>The last index and term a snapshot covers: where a compacted log starts over.</summary>
internal readonly record struct SnapshotPoint(long Index, long Term);
