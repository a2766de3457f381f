using Raft.Core;
using Raft.Simulation;
using Raft.Simulation.Network;

namespace Raft.Tests.Simulation;

/// <summary>Counters tests can put budgets on: messages and payload bytes by kind, and what each disk holds.</summary>
public sealed class SimulationCountersTests
{
    [Test]
    public void Messages_by_kind_add_up_and_each_committed_entry_crosses_to_a_majority()
    {
        var simulation = new Raft.Simulation.Simulation(new SimulationOptions { Seed = 2, Nodes = 5, DurationMicros = 2_000_000 });
        var result = simulation.Run();
        Assert.That(result.Ok);
        var byKind = simulation.Network.SentByKind;
        Assert.That(byKind.Values.Sum(k => k.Count), Is.EqualTo(simulation.Network.MessagesSent));
        Assert.That(byKind.Keys, Does.Contain("AppendEntries").And.Contain("RequestVote"));
        Assert.That(byKind["RequestVote"].PayloadBytes, Is.Zero);

        // The leader's committed commands reached at least a majority minus itself: a lower bound on what AppendEntries carried.
        var leader = simulation.Nodes[simulation.LeaderNow()!.Value].Core;
        long committed = 0;
        for (var i = leader.Log.SnapshotIndex + 1; i <= leader.CommitIndex; i++) committed += leader.Log.EntryAt(i).Command.Length;
        Assert.That(committed, Is.GreaterThan(0));
        Assert.That(byKind["AppendEntries"].PayloadBytes, Is.GreaterThanOrEqualTo(committed * 2), "each committed command crossed to at least 2 of 4 followers");
    }

    [Test]
    public void A_disk_reports_the_commands_and_snapshot_it_holds_and_compaction_shrinks_it()
    {
        var plain = new Raft.Simulation.Simulation(new SimulationOptions { Seed = 3, DurationMicros = 3_000_000 });
        plain.Run();
        var compacted = new Raft.Simulation.Simulation(new SimulationOptions { Seed = 3, DurationMicros = 3_000_000, SnapshotEveryEntries = 10 });
        compacted.Run();
        var id = new NodeId(1);
        var disk = plain.Nodes[id].Disk;
        var state = disk.Load();
        Assert.That(disk.PersistedBytes(plain.Now), Is.EqualTo(state.Entries.Sum(e => (long)e.Command.Length) + (state.Snapshot?.Data.Length ?? 0)));
        Assert.That(compacted.Nodes[id].Disk.Load().Snapshot, Is.Not.Null);
        Assert.That(compacted.Nodes[id].Disk.PersistedBytes(compacted.Now), Is.LessThan(disk.PersistedBytes(plain.Now)), "a snapshot is smaller than the log it replaces");
        Assert.That(SimNetwork.PayloadBytes(new Raft.Core.Messages.RequestVote(id, new NodeId(2), 1, 1, 0, 0)), Is.Zero);
    }
}
