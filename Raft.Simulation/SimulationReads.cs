using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.StateMachine;
using Raft.Simulation.Checkers;
using Raft.Simulation.Clients;
using Raft.Simulation.Nodes;
using Raft.Simulation.Tracing;

namespace Raft.Simulation;

/// <summary>
/// The driver's half of linearizable reads (thesis §6.4): a client's get becomes a
/// <see cref="ReadIndex"/> input; on <see cref="ReadReady"/> the node waits until its state
/// machine has applied up to the read index and then answers from it, writing nothing to the log.
/// </summary>
public sealed partial class Simulation
{
    private long nextReadId = 1;

    private void StartRead(SimNode node, ClientRequest request)
    {
        var readId = nextReadId++;
        node.PendingReads[readId] = request;
        StepNode(node, new ReadIndex(readId));
    }

    private void OnReadReady(SimNode node, ReadReady ready)
    {
        if (!node.PendingReads.Remove(ready.RequestId, out var request)) return;
        Record(TraceEvent.ReadConfirmed(Now, node.Id, request.Command, ready.ReadIndex));
        node.ReadsAwaitingApply.Add((request, ready.ReadIndex));
        ServeReadsUpTo(node, node.AppliedIndex);
    }

    private void OnReadRefused(SimNode node, ReadRefused refused)
    {
        if (!node.PendingReads.Remove(refused.RequestId, out var request)) return;
        ReplyToClient(new ClientReply(request.Client, request.OperationId, request.Attempt, null, refused.LeaderHint));
    }

    /// <summary>The state machine has applied up to <paramref name="appliedIndex"/>: answer every read it now covers.</summary>
    private void ServeReadsUpTo(SimNode node, long appliedIndex)
    {
        node.AppliedIndex = appliedIndex;
        for (var i = 0; i < node.ReadsAwaitingApply.Count; i++)
        {
            var (request, readIndex) = node.ReadsAwaitingApply[i];
            if (readIndex > appliedIndex) continue;
            node.ReadsAwaitingApply.RemoveAt(i--);
            node.StateMachine.Values.TryGetValue(request.Command.Key, out var value);
            CheckDurable(node, Now, DurabilityChecker.CheckReadAnswer(appliedIndex, DiskAt(node, Now)));
            ReplyToClient(new ClientReply(request.Client, request.OperationId, request.Attempt, new KvResult(true, value), node.Id));
        }
    }
}
