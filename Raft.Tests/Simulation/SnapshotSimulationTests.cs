using Raft.Core.Effects;
using Raft.Core.Log;
using Raft.Simulation;
using Raft.Simulation.Cli;
using Raft.Simulation.Faults;
using Raft.Simulation.Network;
using Raft.Simulation.Nodes;
using Raft.Simulation.Tracing;

namespace Raft.Tests.Simulation;

/// <summary>The simulator compacts logs (§7): snapshots are taken, installed over the network, and every property holds.</summary>
public sealed class SnapshotSimulationTests
{
    private static SimulationOptions Chaos(ulong seed, int snapshotEvery) => new()
    {
        Seed = seed, Nodes = 5, Faults = FaultProfile.Chaos, Network = LinkProfile.Unreliable, MaxClockDrift = 0.05,
        DurationMicros = 5_000_000, SnapshotEveryEntries = snapshotEvery,
        Raft = new Raft.Core.RaftOptions { MaxSnapshotChunkBytes = 64 }, KeepTrace = true,
    };

    [Test]
    public void Chaos_runs_with_frequent_snapshots_install_them_and_keep_every_property()
    {
        var installs = 0;
        for (ulong seed = 1; seed <= 6; seed++)
        {
            var simulation = new Raft.Simulation.Simulation(Chaos(seed, snapshotEvery: 20));
            var result = simulation.Run();
            Assert.That(result.Violation, Is.Null, $"seed {seed}: {result.Violation}");
            installs += simulation.Trace.All.Count(e => e.Kind == TraceKind.Apply && e.Detail.StartsWith("restore", StringComparison.Ordinal));
        }
        Assert.That(installs, Is.GreaterThan(0), "some node was brought up to date by InstallSnapshot");
    }

    [Test]
    public void A_snapshot_not_yet_synced_is_lost_in_a_crash_and_a_synced_one_is_kept()
    {
        var disk = new SimDisk();
        var entries = Enumerable.Range(1, 5).Select(i => new LogEntry(i, 1, EntryKind.Command, [(byte)i])).ToArray();
        disk.Write(new PersistEntries(1, entries), durableAtMicros: 10);
        disk.Write(new PersistSnapshot(new Snapshot(new SnapshotMetadata(3, 1, 0, Raft.Core.Membership.Configuration.Empty), [3])), durableAtMicros: 20);
        disk.Write(new PersistSnapshot(new Snapshot(new SnapshotMetadata(5, 1, 0, Raft.Core.Membership.Configuration.Empty), [5])), durableAtMicros: 30);

        disk.Crash(nowMicros: 25);

        var loaded = disk.Load();
        Assert.That(loaded.Snapshot!.LastIncludedIndex, Is.EqualTo(3));
        Assert.That(loaded.Entries.Select(e => e.Index), Is.EqualTo(new long[] { 4, 5 }));
    }

    [Test]
    public void The_replay_command_names_snapshot_every_when_compaction_is_on()
    {
        var on = RunOptionSet.ReplayCommand(new SimulationOptions { SnapshotEveryEntries = 50, Raft = new Raft.Core.RaftOptions { MaxSnapshotChunkBytes = RunOptionSet.DefaultSnapshotChunkBytes } });
        var off = RunOptionSet.ReplayCommand(new SimulationOptions());

        Assert.That(on, Does.Contain(" --snapshot-every 50").And.Not.Contain("--snapshot-chunk-bytes"));
        Assert.That(off, Does.Not.Contain("--snapshot"));
    }

    [Test]
    public void Explore_with_snapshots_exits_0_with_a_summary()
    {
        var (code, stdout, _) = RaftSim.Run("explore", "--seeds", "3", "--duration", "2s", "--faults", "chaos", "--snapshot-every", "10");
        Assert.That(code, Is.Zero, stdout);
        Assert.That(stdout, Does.Contain("No violation."));
    }
}
