using Raft.Core.Log;

namespace Raft.Core.Effects;

/// <summary>
/// Replace the state machine's state with <see cref="Snapshot"/>'s data (a snapshot installed from
/// the leader, §7). Entries after it are then applied with <see cref="ApplyEntry"/> as usual.
/// </summary>
public sealed record RestoreSnapshot(Snapshot Snapshot) : Effect
{
    public override string ToString() => $"restore {Snapshot}";
}
