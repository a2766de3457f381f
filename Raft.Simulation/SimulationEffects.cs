using Raft.Core.Effects;
using Raft.Core.Log;
using Raft.Core.Messages;
using Raft.Core.Storage;
using Raft.Simulation.Checkers;
using Raft.Simulation.Execution;
using Raft.Simulation.Nodes;
using Raft.Simulation.Tracing;

namespace Raft.Simulation;

/// <summary>
/// The simulator's side of the <see cref="EffectExecutor"/>: a write goes to the node's simulated
/// disk and is durable <see cref="SimulationOptions.DiskSyncMicros"/> later; whatever the world can
/// observe (a message, an answer to a client) is released when the disk has caught up with the
/// write it waits for, and is checked against the disk at that moment.
/// </summary>
public sealed partial class Simulation
{
    private EffectExecutor NewExecutor(SimNode node) => new(new SimEffectTarget(this, node), options.DriverBug);

    /// <summary>When something that waits for write <paramref name="afterWrite"/> of the node may be seen: now, or when that write is durable.</summary>
    private long ReleaseTime(SimNode node, long afterWrite) => afterWrite == 0 ? Now : node.Disk.DurableAt(afterWrite, Now);

    /// <summary>Checks what is released at <paramref name="releaseAt"/> against the disk as it will be then (thesis §3.8).</summary>
    private void CheckDurable(SimNode node, long releaseAt, Func<MemoryStorage, string?> check)
    {
        if (check(node.Disk.StateAt(releaseAt, Now)) is { } missing)
            Fail(Property.PersistBeforeSend, node.Id.ToString(), $"{node.Id} {missing} (released at {TraceEvent.FormatTime(releaseAt)})");
    }

    private static string TermsText(PersistEntries write) => string.Join(",", write.Entries.Select(e => e.Term).Distinct());

    private sealed class SimEffectTarget(Simulation simulation, SimNode node) : IEffectTarget
    {
        public long Write(Effect write)
        {
            var number = node.Disk.Write(write, simulation.Now + simulation.options.DiskSyncMicros);
            if (write is PersistEntries entries)
                simulation.Record(TraceKind.Append, node.Id, $"log [{entries.FirstIndex}..{entries.LastIndex}] terms {TermsText(entries)}");
            else if (write is PersistSnapshot stored)
                simulation.Record(TraceKind.Append, node.Id, $"write {stored.Snapshot}");
            return number;
        }

        public void Send(Message message, long afterWrite)
        {
            var releaseAt = simulation.ReleaseTime(node, afterWrite);
            var written = node.Disk.StateAt(long.MaxValue, simulation.Now);
            simulation.CheckDurable(node, releaseAt, disk => DurabilityChecker.CheckMessage(message, disk, written));
            simulation.SendMessage(message, releaseAt);
        }

        public void Apply(LogEntry entry, long afterWrite) => simulation.ApplyToStateMachine(node, entry, simulation.ReleaseTime(node, afterWrite));

        public void Restore(Snapshot snapshot) => simulation.RestoreStateMachine(node, snapshot);

        public void Read(Effect read, long afterWrite)
        {
            var releaseAt = simulation.ReleaseTime(node, afterWrite);
            if (read is ReadReady ready) simulation.OnReadReady(node, ready, releaseAt);
            else if (read is ReadRefused refused) simulation.OnReadRefused(node, refused, releaseAt);
        }
    }
}
