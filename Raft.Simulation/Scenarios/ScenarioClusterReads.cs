using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.StateMachine;

namespace Raft.Simulation.Scenarios;

/// <summary>
/// <c>read nK key</c>: a ReadIndex read (thesis §6.4). The node answers ReadReady (serve once the
/// store has applied up to the read index) or ReadRefused; nothing goes through the log.
/// </summary>
public sealed partial class ScenarioCluster
{
    private readonly SortedDictionary<long, (NodeId Node, string Key)> readsInProgress = [];
    private readonly SortedDictionary<NodeId, List<(long ReadId, long ReadIndex)>> readsAwaitingApply = [];
    private readonly SortedDictionary<NodeId, long> appliedIndex = [];
    private long nextReadId = 1;

    /// <summary>Hands a read of <paramref name="key"/> to <paramref name="id"/>; returns its read number.</summary>
    public long Read(NodeId id, string key, List<string> report)
    {
        var readId = nextReadId++;
        readsInProgress[readId] = (id, key);
        Clients.ReadInvoked(readId, new KvCommand(1, 0, KvOperation.Get, key), StepCount + 1);
        Step(id, new ReadIndex(readId), report);
        return readId;
    }

    private void CarryOutRead(NodeId id, Effect effect, List<string> report, List<string> replies)
    {
        switch (effect)
        {
            case ReadReady ready when readsInProgress.ContainsKey(ready.RequestId):
                report.Add($"  {id} confirms read #{ready.RequestId} at index {ready.ReadIndex}");
                readsAwaitingApply[id].Add((ready.RequestId, ready.ReadIndex));
                ServeReadsUpTo(id, appliedIndex[id], replies);
                break;
            case ReadRefused refused when readsInProgress.Remove(refused.RequestId):
                report.Add($"  {id} refuses read #{refused.RequestId}: {refused.Reason} (leader hint {refused.LeaderHint?.ToString() ?? "-"})");
                Clients.ReadAbandoned(refused.RequestId);
                break;
        }
    }

    /// <summary>The store of <paramref name="id"/> has applied up to <paramref name="index"/>: answer the reads it covers.</summary>
    private void ServeReadsUpTo(NodeId id, long index, List<string> replies)
    {
        appliedIndex[id] = index;
        var waiting = readsAwaitingApply[id];
        foreach (var (readId, readIndex) in waiting.Where(r => r.ReadIndex <= index).ToArray())
        {
            waiting.Remove((readId, readIndex));
            if (!readsInProgress.Remove(readId, out var read)) continue;
            stores[id].Values.TryGetValue(read.Key, out var value);
            var result = new KvResult(true, value);
            Clients.ReadServed(readId, result, StepCount);
            replies.Add($"  {id} answers read #{readId} get {read.Key}: {result}");
        }
    }

    /// <summary>A (re)started node has an empty store and no reads in progress: their clients never hear back.</summary>
    private void ForgetReads(NodeId id)
    {
        foreach (var readId in readsInProgress.Where(r => r.Value.Node == id).Select(r => r.Key).ToArray())
        {
            readsInProgress.Remove(readId);
            Clients.ReadAbandoned(readId);
        }
        readsAwaitingApply[id] = [];
        appliedIndex[id] = 0;
    }
}
