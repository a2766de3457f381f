using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Simulation.Nodes;
using Raft.Simulation.Tracing;

namespace Raft.Simulation;

/// <summary>The driver's side of log compaction (§7): when to snapshot, and carrying out snapshot effects.</summary>
public sealed partial class Simulation
{
    /// <summary>
    /// Every <see cref="SimulationOptions.SnapshotEveryEntries"/> applied entries, snapshot the
    /// state machine (whose state is exactly that of the node's applied index, since the driver
    /// applies every ApplyEntry as it comes) and hand it to the node to compact its log.
    /// </summary>
    private void MaybeCompact(SimNode node)
    {
        var every = options.SnapshotEveryEntries;
        var core = node.Core;
        if (every == 0 || node.Status != NodeStatus.Up || Violation is not null) return;
        if (core.LastApplied - core.Log.SnapshotIndex < every) return;
        Record(TraceEvent.SnapshotTaken(Now, node.Id, core.LastApplied));
        StepNode(node, new Compact(core.LastApplied, node.StateMachine.Snapshot()));
    }

    private void RestoreStateMachine(SimNode node, Snapshot snapshot)
    {
        node.StateMachine.Restore(snapshot.Data);
        Record(TraceEvent.Restored(Now, node.Id, snapshot));
        OnSnapshotRestored(snapshot);
        // Proposals the snapshot covers will never be applied here one by one: their clients retry.
        foreach (var index in node.PendingProposals.Keys.Where(i => i <= snapshot.LastIncludedIndex).ToList())
            node.PendingProposals.Remove(index);
    }
}
