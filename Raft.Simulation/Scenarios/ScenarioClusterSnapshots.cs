using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Node;
using Raft.Core.StateMachine;

namespace Raft.Simulation.Scenarios;

/// <summary>
/// <c>compact nK [at I]</c> and what follows from it (§7): the node's store is snapshotted as of
/// index I, the node compacts its log, and the cluster carries out PersistSnapshot (into the
/// node's storage, from which a restart begins) and RestoreSnapshot (a follower's store replaced
/// by the snapshot the leader sent it).
/// </summary>
public sealed partial class ScenarioCluster
{
    /// <summary>Snapshots <paramref name="id"/>'s store as of <paramref name="index"/> and hands it to the node to compact its log.</summary>
    public void Compact(NodeId id, long index, List<string> report)
    {
        var node = nodes[id];
        if (index <= node.Log.SnapshotIndex) throw new ArgumentException($"{id} has already compacted up to {node.Log.SnapshotIndex}");
        if (index > node.LastApplied) throw new ArgumentException($"{id} has applied only up to {node.LastApplied}");
        Step(id, new Compact(index, StoreAsOf(node, index).Snapshot()), report);
    }

    /// <summary>
    /// The store as it was when <paramref name="index"/> was applied: the node's snapshot, if any,
    /// then the commands after it. The live store may already be further on.
    /// </summary>
    private static KvStateMachine StoreAsOf(RaftNode node, long index)
    {
        var store = new KvStateMachine();
        if (node.LatestSnapshot is { } earlier) store.Restore(earlier.Data);
        for (var i = node.Log.FirstIndex; i <= index; i++)
        {
            var entry = node.Log.EntryAt(i);
            if (entry.Kind == EntryKind.Command && Decode(entry.Command) is { } command) store.Execute(command);
        }
        return store;
    }

    private void CarryOutSnapshot(NodeId id, Effect effect, List<string> report)
    {
        switch (effect)
        {
            case PersistSnapshot persist:
                var stored = persist.Snapshot;
                storages[id].Persist(effect);
                report.Add($"  {id} stores snapshot up to {stored.LastIncludedIndex}@{stored.LastIncludedTerm} ({stored.Data.Length} bytes, {stored.Metadata.Configuration}), log from {nodes[id].Log.FirstIndex}");
                break;
            case RestoreSnapshot restore:
                stores[id].Restore(restore.Snapshot.Data);
                AppliedInStore(id, restore.Snapshot.LastIncludedIndex);
                report.Add($"  {id} restores its store from the snapshot: {stores[id].Values.Count} keys");
                break;
        }
    }

    /// <summary>The store of <paramref name="id"/> jumped to <paramref name="index"/> (a snapshot); reads wait from there.</summary>
    private void AppliedInStore(NodeId id, long index) => appliedIndex[id] = index;
}
