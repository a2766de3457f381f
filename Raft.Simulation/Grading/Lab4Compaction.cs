using Raft.Simulation.Faults;
using Raft.Simulation.Network;
using static Raft.Simulation.Grading.Lab1Election;

namespace Raft.Simulation.Grading;

/// <summary>
/// Lab 4, log compaction (§7): with <see cref="SimulationOptions.SnapshotEveryEntries"/> on, the
/// simulator asks each node to compact every 10 applied entries; the node stores snapshots,
/// restarts from them, and brings a follower that is far behind up to date with InstallSnapshot.
/// </summary>
internal static class Lab4Compaction
{
    private const long Second = 1_000_000;
    private const long ElectionBound = 2 * Second;
    private const long SettleBound = Second;
    private const int Every = 10;

    public static IReadOnlyList<GradeTest> Tests { get; } =
    [
        new(4, "snapshots-taken", 10, "3 servers, no faults, a snapshot every 10 entries: every server stores snapshots", SnapshotsTaken, Replayable: true),
        new(4, "snapshots-with-chaos", 15, "5 servers, snapshots on, crashes, partitions, pauses and a lossy network for 8 s", SnapshotsWithChaos, Replayable: true),
        new(4, "restart-from-snapshot", 10, "a server that stored snapshots crashes and restarts from its snapshot and log", RestartFromSnapshot),
        new(4, "install-snapshot", 15, "a follower down while 60+ entries commit and compact catches up through InstallSnapshot", InstallSnapshotCatchUp),
    ];

    private static SimulationOptions Options(int nodes, int clients, long duration) =>
        new() { Nodes = nodes, Clients = clients, DurationMicros = duration, SnapshotEveryEntries = Every, Raft = new Core.RaftOptions { MaxSnapshotChunkBytes = Cli.RunOptionSet.DefaultSnapshotChunkBytes } };

    private static string? SnapshotsTaken(GradeRun run)
    {
        run.Start(Options(3, 3, 4 * Second) with { ReadPercent = 0 });
        run.Finish();
        if (run.Violated) return null;
        var none = run.Sim.Members.Where(m => run.Meter.SnapshotsOf(m) == 0).ToList();
        if (none.Count > 0) return $"{string.Join(", ", none)} stored no snapshot (PersistSnapshot) although {run.Sim.Safety.CommittedIndex} entries were committed and compaction was asked every {Every}";
        return run.AwaitSameState(SettleBound);
    }

    private static string? SnapshotsWithChaos(GradeRun run)
    {
        run.Start(Options(5, 5, 8 * Second) with { Faults = FaultProfile.Chaos, Network = LinkProfile.Unreliable, MaxClockDrift = 0.05 });
        run.Finish();
        return run.AwaitSameState(SettleBound);
    }

    private static string? RestartFromSnapshot(GradeRun run)
    {
        run.Start(Options(3, 3, 8 * Second) with { ReadPercent = 20 });
        if (run.AwaitLeader(ElectionBound) is null) return Failed(run, "no leader within 2 s of start");
        var victim = run.Pick(run.Sim.Members, 1)[0];
        if (!run.RunUntil(run.Now + 4 * Second, () => run.Meter.SnapshotsOf(victim) >= 2))
            return Failed(run, $"{victim} stored fewer than 2 snapshots in 4 s of client writes with compaction every {Every} entries");
        if (!run.RunFor(50_000)) return null;
        run.Crash(victim);
        if (!run.RunFor(300_000)) return null;
        run.Restart(victim);
        if (!run.RunFor(Second)) return null;
        run.Finish();
        return run.AwaitSameState(SettleBound);
    }

    private static string? InstallSnapshotCatchUp(GradeRun run)
    {
        run.Start(Options(3, 5, 10 * Second) with { ReadPercent = 0 });
        if (run.AwaitLeader(ElectionBound) is not { } leader) return Failed(run, "no leader within 2 s of start");
        var follower = run.Pick(run.Followers(leader), 1)[0];
        run.Crash(follower, " (a follower)");
        var start = run.Sim.Safety.CommittedIndex;
        if (!run.RunUntil(run.Now + 5 * Second, () => run.Sim.Safety.CommittedIndex >= start + 60))
            return Failed(run, $"with {follower} down, fewer than 60 entries committed in 5 s");
        run.Restart(follower);
        var target = run.Sim.Safety.CommittedIndex;
        var before = run.Meter.SentTo("InstallSnapshot", follower);
        if (!run.RunUntil(run.Now + 3 * Second, () => run.NodeOf(follower).Core.CommitIndex >= target))
            return Failed(run, $"{follower} had not caught up to index {target} 3 s after restarting");
        if (run.Meter.SentTo("InstallSnapshot", follower) == before)
            return $"{follower} came back 60+ entries behind, after the leader compacted them into snapshots, yet was sent no InstallSnapshot (§7)";
        run.Finish();
        return run.AwaitSameState(SettleBound);
    }
}
