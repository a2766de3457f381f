namespace Raft.Core.Inputs;

/// <summary>
/// The driver took a snapshot of the state machine as of applied index <see cref="Index"/> (§7):
/// the node keeps it, compacts its log up to <see cref="Index"/> and asks for the snapshot to be
/// persisted. The driver decides when (for example every N applied entries); the node ignores a
/// snapshot not newer than the one it has, and refuses one beyond what it has applied.
/// </summary>
public sealed record Compact(long Index, byte[] Snapshot) : Input
{
    public override string ToString() => $"compact up to {Index} ({Snapshot.Length} bytes)";
}
