using Raft.Core;
using static Raft.Simulation.Grading.Lab1Election;

namespace Raft.Simulation.Grading;

/// <summary>
/// Lab 2, log replication (§5.3, §5.4): clients' writes are committed and applied everywhere, with
/// a failed follower, never without a majority, with many clients, past a rejoining old leader; a
/// far divergent follower is repaired in few AppendEntries; entries cross each link about once.
/// </summary>
internal static class Lab2Replication
{
    private const long Second = 1_000_000;
    private const long ElectionBound = 2 * Second;
    private const long SettleBound = Second;

    /// <summary>The most AppendEntries a follower 60+ entries out of date may reject before it matches (one per entry would be 60+).</summary>
    public const int FastBackupBound = 10;

    public static IReadOnlyList<GradeTest> Tests { get; } =
    [
        new(2, "basic-agreement", 10, "3 servers, 3 clients, no faults: writes commit and every server applies them", BasicAgreement, Replayable: true),
        new(2, "follower-failure", 10, "a follower crashes: the other two keep committing; it restarts and catches up", FollowerFailure),
        new(2, "no-commit-without-majority", 10, "5 servers, the leader and one follower cut off from 3: nothing more commits; after healing, progress", NoCommitWithoutMajority),
        new(2, "concurrent-clients", 10, "10 clients at once: every client's writes complete, linearizably", ConcurrentClients, Replayable: true),
        new(2, "rejoin-old-leader", 10, "the leader is cut off with proposals it cannot commit, a new leader commits, then the old one rejoins", RejoinOldLeader),
        new(2, "fast-backup", 10, $"a follower whose log differs from a new leader's in 60+ entries (conflicting and missing) rejects at most {FastBackupBound} AppendEntries (§5.3)", FastBackup),
        new(2, "figure-8", 10, "5 servers, one entry per AppendEntries: each new leader is cut off at once or soon, an old one rejoins: never commit an old term's entry by counting (§5.4.2, Figure 8)", run => Figure8.Run(run, crashes: false, unreliable: false)),
        new(2, "entry-byte-budget", 5, "no faults: the bytes of entries sent are at most 1.5 x committed bytes x followers", EntryByteBudget, Replayable: true),
    ];

    private static string? BasicAgreement(GradeRun run)
    {
        run.Start(new SimulationOptions { Nodes = 3, Clients = 3, DurationMicros = 3 * Second });
        var result = run.Finish();
        if (run.Violated) return null;
        if (result.ClientOperations < 30) return $"only {result.ClientOperations} client operations completed in 3 s without faults (expected at least 30)";
        return run.AwaitSameState(SettleBound);
    }

    private static string? FollowerFailure(GradeRun run)
    {
        run.Start(new SimulationOptions { Nodes = 3, Clients = 3, ReadPercent = 0, DurationMicros = 6 * Second });
        if (run.AwaitLeader(ElectionBound) is not { } leader) return Failed(run, "no leader within 2 s of start");
        var follower = run.Pick(run.Followers(leader), 1)[0];
        run.Crash(follower, " (a follower)");
        var before = run.Sim.Safety.CommittedIndex;
        if (!run.RunFor(2 * Second)) return null;
        var committed = run.Sim.Safety.CommittedIndex - before;
        if (committed < 10) return Failed(run, $"with only {follower} down, 2 of 3 servers committed {committed} entries in 2 s (expected at least 10)");
        run.Restart(follower);
        run.Finish();
        return run.AwaitSameState(SettleBound);
    }

    private static string? NoCommitWithoutMajority(GradeRun run)
    {
        run.Start(new SimulationOptions { Nodes = 5, Clients = 5, ReadPercent = 0, DurationMicros = 6 * Second });
        if (run.AwaitLeader(ElectionBound) is not { } leader) return Failed(run, "no leader within 2 s of start");
        if (!run.RunFor(300_000)) return null;
        List<NodeId> kept = [leader, .. run.Pick(run.Followers(leader), 1)];
        // After the cut an entry can still gather a majority: the two kept servers (the leader has
        // it, and the other one can still get it) plus the servers across the cut that stored it
        // before. So entries up to the highest index that enough servers across the cut hold may
        // commit; none beyond it.
        var across = run.Sim.Members.Where(m => !kept.Contains(m)).ToList();
        var neededAcross = run.Majority - kept.Count;
        var heldAcross = across.Select(n => run.NodeOf(n).Core.Log.LastIndex).OrderDescending().ElementAt(neededAcross - 1);
        var commitAtCut = Math.Max(heldAcross, run.Sim.Nodes.Values.Max(n => n.Core.CommitIndex));
        run.Partition([kept]);
        if (!run.RunFor(1500_000)) return null;
        var commitAfter = kept.Max(n => run.NodeOf(n).Core.CommitIndex);
        if (commitAfter > commitAtCut)
            return $"cut off from the {across.Count} others, {string.Join(" and ", kept)} committed up to index {commitAfter}, but no majority could hold anything beyond {commitAtCut} (the {across.Count} others held at most that much when they were cut off): an entry is committed only once a majority stores it (§5.3)";
        run.Heal();
        if (run.AwaitLeader(ElectionBound) is null) return Failed(run, "no leader within 2 s of healing");
        var healed = run.Sim.Safety.CommittedIndex;
        if (!run.RunFor(Second)) return null;
        if (run.Sim.Safety.CommittedIndex <= healed) return Failed(run, "nothing committed in the second after healing, with clients writing");
        run.Finish();
        return run.AwaitSameState(SettleBound);
    }

    private static string? ConcurrentClients(GradeRun run)
    {
        run.Start(new SimulationOptions { Nodes = 3, Clients = 10, DurationMicros = 3 * Second });
        var result = run.Finish();
        if (run.Violated) return null;
        var idle = Enumerable.Range(1, 10).Where(c => result.History.Count(o => o.ClientId == c && o.IsComplete) < 5).ToList();
        if (idle.Count > 0) return $"client(s) {string.Join(", ", idle.Select(c => $"c{c}"))} completed fewer than 5 operations in 3 s without faults";
        return run.AwaitSameState(SettleBound);
    }

    private static string? RejoinOldLeader(GradeRun run)
    {
        run.Start(new SimulationOptions { Nodes = 3, Clients = 3, ReadPercent = 0, DurationMicros = 8 * Second });
        if (run.AwaitLeader(ElectionBound) is not { } first) return Failed(run, "no leader within 2 s of start");
        run.RunFor(200_000);
        run.Isolate(first, " (the leader)");
        if (run.AwaitLeader(ElectionBound) is not { } second) return Failed(run, $"no new leader within 2 s of cutting off {first}");
        if (!run.RunFor(Second)) return null;
        var third = run.Sim.Members.Single(m => m != first && m != second);
        run.Partition([[first, third]]);
        if (run.AwaitLeader(ElectionBound) is null) return Failed(run, $"{first} and {third} elected no leader within 2 s with {second} cut off");
        if (!run.RunFor(500_000)) return null;
        run.Heal();
        if (run.AwaitLeader(ElectionBound) is null) return Failed(run, "no leader within 2 s of healing");
        run.Finish();
        return run.AwaitSameState(SettleBound);
    }

    /// <summary>
    /// The old leader and one follower F are cut off from the other three; the old leader keeps
    /// handing F entries it cannot commit while the majority commits 60+ others. Then the majority's
    /// leader crashes and restarts at once, so that a freshly elected leader (nextIndex = its last
    /// index + 1 for everyone, Figure 2) meets F when the partition heals: F's log differs from it
    /// in 60+ entries. Backing up one entry per rejected AppendEntries would take 60+ round trips.
    /// </summary>
    private static string? FastBackup(GradeRun run)
    {
        run.Start(new SimulationOptions { Nodes = 5, Clients = 5, ReadPercent = 0, DurationMicros = 10 * Second });
        if (run.AwaitLeader(ElectionBound) is not { } old) return Failed(run, "no leader within 2 s of start");
        if (!run.RunFor(200_000)) return null;
        // Not the server after the old leader: a client that times out there tries that one next, and
        // should find the majority (and stay with it) rather than be sent back to the old leader.
        var successor = new NodeId(old.Value % run.Sim.Members.Count + 1);
        var follower = run.Pick(run.Followers(old).Where(f => f != successor), 1)[0];
        var rest = run.Sim.Members.Where(m => m != old && m != follower).ToList();
        var commitAtCut = run.Sim.Safety.CommittedIndex;
        run.Partition([[old, follower], rest]);
        if (!run.RunUntil(run.Now + 8 * Second, () => run.Sim.Safety.CommittedIndex >= commitAtCut + 60))
            return Failed(run, $"the 3 servers {string.Join(", ", rest)} committed fewer than 60 entries in 8 s");
        if (run.Leader() is not { } majorityLeader) return Failed(run, "no leader on the majority side");
        run.Crash(majorityLeader, " (the majority's leader)");
        run.Restart(majorityLeader);
        if (run.AwaitLeader(ElectionBound) is not { } leader) return Failed(run, "the majority elected no new leader within 2 s");
        var behind = run.NodeOf(leader).Core.Log.LastIndex - commitAtCut;
        run.Heal();
        var target = run.Sim.Safety.CommittedIndex;
        var before = run.Meter.Rejections(follower, leader);
        if (!run.RunUntil(run.Now + 3 * Second, () => run.NodeOf(follower).Core.CommitIndex >= target))
            return Failed(run, $"{follower}, {behind} entries out of date, had not caught up to index {target} 3 s after healing");
        var rejections = run.Meter.Rejections(follower, leader) - before;
        if (rejections > FastBackupBound)
            return $"{follower}'s log differed from the new leader {leader}'s in {behind}+ entries; {follower} rejected {rejections} AppendEntries before it matched (bound {FastBackupBound}): back up a term at a time, or to the follower's last index, with the conflict hint (§5.3), not an entry at a time";
        run.Finish();
        return run.AwaitSameState(SettleBound);
    }

    private static string? EntryByteBudget(GradeRun run)
    {
        run.Start(new SimulationOptions { Nodes = 3, Clients = 3, ReadPercent = 0, DurationMicros = 3 * Second });
        var result = run.Finish();
        if (run.Violated) return null;
        long committedBytes = 0;
        for (var i = 1; i <= result.CommittedIndex; i++) committedBytes += run.Sim.Safety.AppliedAt(i)?.Command.Length ?? 0;
        var budget = committedBytes * (run.Options.Nodes - 1) * 3 / 2;
        if (run.Meter.EntryBytes > budget)
            return $"AppendEntries carried {run.Meter.EntryBytes} bytes of entries for {committedBytes} committed bytes and {run.Options.Nodes - 1} followers (budget {budget}): each entry should cross each link about once";
        return run.AwaitSameState(SettleBound);
    }
}
