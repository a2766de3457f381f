using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Log;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Core.Storage;
using Raft.Simulation.Checkers;
using Raft.Simulation.Execution;
using Raft.Simulation.Faults;
using Raft.Simulation.Nodes;
using Raft.Simulation.Tracing;

namespace Raft.Simulation;

/// <summary>
/// The simulator's side of the <see cref="EffectExecutor"/>, and its durability barrier. A write
/// goes to the node's simulated disk and is durable <see cref="SimulationOptions.DiskSyncMicros"/>
/// later. A step that wrote is finished only then, as a real server that syncs before it answers:
/// its messages, applies and answers are held until its writes are durable, and the node takes no
/// new input meanwhile (inputs wait in its backlog). A crash before then loses the writes and
/// everything held behind them. Only then is the step recorded and checked, so that the checkers
/// never count a commit that a crash could still undo on the node that made it.
/// <para>
/// Whatever the world can observe is checked against the disk at the moment it is released
/// (<see cref="DurabilityChecker"/>), which catches a driver that releases too early
/// (<see cref="DriverBug.ReleaseBeforeSync"/>) as well as a core that sends before it writes.
/// </para>
/// </summary>
public sealed partial class Simulation
{
    private EffectExecutor NewExecutor(SimNode node) => new(new SimEffectTarget(this, node), options.DriverBug);

    /// <summary>When something that waits for write <paramref name="afterWrite"/> of the node may be seen: now, or when that write is durable.</summary>
    private long ReleaseTime(SimNode node, long afterWrite) => afterWrite == 0 ? Now : node.Disk.DurableAt(afterWrite, Now);

    /// <summary>True while the node's last step waits for its writes to become durable.</summary>
    private static bool IsSyncing(SimNode node) => node.SyncedAtMicros != 0;

    /// <summary>The step's effects wait in <see cref="SimNode.Held"/> until its last write is durable; so does the node.</summary>
    private void HoldUntilDurable(SimNode node, StepStart before)
    {
        node.SyncedAtMicros = ReleaseTime(node, node.Executor.LastWrite);
        node.HeldStepStart = before;
        queue.Schedule(node.SyncedAtMicros, SimEvent.StepDurable(node.Id, node.Incarnation));
    }

    private void HandleStepDurable(NodeId id, int incarnation)
    {
        var node = nodes[id];
        if (node.Incarnation != incarnation || node.Status == NodeStatus.Down) return; // the crash took it all
        node.SyncedAtMicros = 0;
        var held = node.Held;
        node.Held = node.Released; // the held effects go out now; whatever they hold back goes to the other list
        node.Executor.Execute(held);
        held.Clear();
        node.Released = held;
        FinishStep(node, node.HeldStepStart);
        DrainBacklog(node);
    }

    /// <summary>Feeds the inputs that waited (while paused or syncing) one by one, until the node must wait again.</summary>
    private void DrainBacklog(SimNode node)
    {
        while (node.Backlog.Count > 0 && node.Status == NodeStatus.Up && !IsSyncing(node) && Violation is null)
        {
            var input = node.Backlog.Dequeue();
            if (input is Raft.Core.Inputs.Receive receive) Record(TraceEvent.DeliveredLate(Now, node.Id, receive.Message));
            StepNode(node, input);
        }
    }

    /// <summary>A leadership transfer or membership change goes to a leader; one that is syncing gets it once its disk is idle.</summary>
    private long? LeaderSyncingFor(FaultAction action)
    {
        var leader = action switch
        {
            TransferFault => LeaderNow(),
            MembershipFault => HighestLeader(),
            _ => null,
        };
        return leader is { } id && IsSyncing(nodes[id]) ? nodes[id].SyncedAtMicros : null;
    }

    /// <summary>What the node's disk holds at <paramref name="releaseAt"/>: the evidence for what it releases then (thesis §3.8).</summary>
    private MemoryStorage DiskAt(SimNode node, long releaseAt) => node.Disk.StateAt(releaseAt, Now);

    /// <summary>Fails the run if a durability check (<see cref="DurabilityChecker"/>) found something released before it was stored.</summary>
    private void CheckDurable(SimNode node, long releaseAt, string? missing)
    {
        if (missing is not null)
            Fail(Property.PersistBeforeSend, node.Id.ToString(), $"{node.Id} {missing} (released at {TraceEvent.FormatTime(releaseAt)})");
    }

    /// <summary>
    /// Carries out one node's effects. An observable effect whose write is not yet durable is held
    /// (and so is every effect after it, to keep their order); the old executor instead sends a
    /// message at the time its own step's writes are durable and applies and answers at once.
    /// </summary>
    private sealed class SimEffectTarget(Simulation simulation, SimNode node) : IEffectTarget
    {
        public long Write(Effect write)
        {
            var number = node.Disk.Write(write, simulation.Now + simulation.options.DiskSyncMicros);
            if (write is PersistEntries or PersistSnapshot) simulation.Record(TraceEvent.Wrote(simulation.Now, node.Id, write));
            return number;
        }

        public void Send(Raft.Core.Effects.Send send, long afterWrite)
        {
            if (MustHold(afterWrite))
            {
                node.Held.Add(send);
                return;
            }
            var message = send.Message;
            var releaseAt = simulation.ReleaseTime(node, afterWrite); // later than now only for the old executor
            var written = simulation.DiskAt(node, long.MaxValue);
            simulation.CheckDurable(node, releaseAt, DurabilityChecker.CheckMessage(message, simulation.DiskAt(node, releaseAt), written));
            simulation.SendMessage(message, releaseAt);
        }

        public void Apply(ApplyEntry apply, long afterWrite)
        {
            if (MustHold(afterWrite)) node.Held.Add(apply);
            else simulation.ApplyToStateMachine(node, apply.Entry);
        }

        public void Restore(RestoreSnapshot restore, long afterWrite)
        {
            if (MustHold(afterWrite)) node.Held.Add(restore);
            else simulation.RestoreStateMachine(node, restore.Snapshot);
        }

        public void Read(Effect read, long afterWrite)
        {
            if (MustHold(afterWrite))
            {
                node.Held.Add(read);
                return;
            }
            if (read is ReadReady ready) simulation.OnReadReady(node, ready);
            else if (read is ReadRefused refused) simulation.OnReadRefused(node, refused);
        }

        /// <summary>Whether an effect must wait in <see cref="SimNode.Held"/>: its write is not durable yet, or an earlier effect waits.</summary>
        private bool MustHold(long afterWrite) =>
            simulation.options.DriverBug == DriverBug.None && (node.Held.Count > 0 || simulation.ReleaseTime(node, afterWrite) > simulation.Now);
    }
}
