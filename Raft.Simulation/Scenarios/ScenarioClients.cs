using Raft.Core;
using Raft.Core.Log;
using Raft.Core.StateMachine;
using Raft.Simulation.History;

namespace Raft.Simulation.Scenarios;

/// <summary>
/// The client operations (<c>put</c>, <c>get</c>) a scenario makes, as a history that
/// <c>expect linearizable</c> checks. Time is the cluster's step count: an operation is invoked at
/// the step where a leader accepts it and completes at the step where that same node (the same
/// incarnation) applies it. If its entry is replaced, or the node crashes first, it never
/// completes: the client never hears back, so it may or may not have taken effect.
/// </summary>
public sealed class ScenarioClients
{
    private readonly List<ClientOperation> operations = [];
    private readonly SortedDictionary<(NodeId Node, long Index), (int Position, long Term)> pending = [];

    public IReadOnlyList<ClientOperation> History => operations;

    /// <summary>A leader accepted <paramref name="command"/> at (<paramref name="index"/>, <paramref name="term"/>).</summary>
    public void Invoked(NodeId leader, long index, long term, KvCommand command, long step)
    {
        pending[(leader, index)] = (operations.Count, term);
        operations.Add(new ClientOperation(operations.Count + 1, command.ClientId, command, step, null, null));
    }

    /// <summary>
    /// <paramref name="node"/> applied <paramref name="entry"/> with <paramref name="result"/>;
    /// returns the operation this answers, or null when no client waits on it here.
    /// </summary>
    public ClientOperation? Applied(NodeId node, LogEntry entry, KvResult result, long step)
    {
        if (!pending.Remove((node, entry.Index), out var waiting)) return null;
        // Another leader's entry took this index: the client's own entry is gone and it will never hear back.
        if (waiting.Term != entry.Term) return null;
        var operation = operations[waiting.Position] with { CompletedAt = step, Result = result };
        operations[waiting.Position] = operation;
        return operation;
    }

    private readonly SortedDictionary<long, int> pendingReads = [];

    /// <summary>A client asked for a ReadIndex read (<c>read nK key</c>), known to the node as <paramref name="readId"/>.</summary>
    public void ReadInvoked(long readId, KvCommand command, long step)
    {
        pendingReads[readId] = operations.Count;
        operations.Add(new ClientOperation(operations.Count + 1, command.ClientId, command, step, null, null));
    }

    /// <summary>The read <paramref name="readId"/> was answered with <paramref name="result"/>.</summary>
    public void ReadServed(long readId, KvResult result, long step)
    {
        if (!pendingReads.Remove(readId, out var position)) return;
        operations[position] = operations[position] with { CompletedAt = step, Result = result };
    }

    /// <summary>The read <paramref name="readId"/> was refused or lost: the client never hears back.</summary>
    public void ReadAbandoned(long readId) => pendingReads.Remove(readId);

    /// <summary>The node lost its connections: its clients never get their answers.</summary>
    public void Crashed(NodeId node)
    {
        foreach (var key in pending.Keys.Where(k => k.Node == node).ToArray()) pending.Remove(key);
    }
}
