using Raft.Simulation.Tracing;

namespace Raft.Simulation.Grading;

/// <summary>
/// Lab 1, leader election (§5.2): a leader is elected and keeps its place while nothing fails; a
/// new one takes over when it crashes or is cut off; a minority never elects one.
/// </summary>
internal static class Lab1Election
{
    private const long Second = 1_000_000;

    /// <summary>How long an election may take: several election timeouts (100-200 ms each with the default options).</summary>
    private const long ElectionBound = 2 * Second;

    public static IReadOnlyList<GradeTest> Tests { get; } =
    [
        new(1, "initial-election", 10, "3 servers, no faults: a leader within 2 s, then one leader and one term everywhere", InitialElection),
        new(1, "reelection-after-crash", 10, "the leader crashes: the others elect a new one; the old one restarts and follows", ReelectionAfterCrash),
        new(1, "reelection-after-disconnect", 10, "the leader is cut off: the others elect a new one; after healing the old one steps down", ReelectionAfterDisconnect),
        new(1, "no-election-without-majority", 10, "5 servers, 3 cut off: the 2 left never elect a leader; after healing, one leader", NoElectionWithoutMajority),
        new(1, "many-elections", 10, "7 servers, 3 random servers cut off, 8 times over: the other 4 always elect a leader", ManyElections),
        new(1, "one-election-without-faults", 5, "3 servers and clients, no faults for 5 s: exactly one election", OneElectionWithoutFaults, Replayable: true),
        new(1, "idle-message-budget", 5, "an idle cluster sends at most 3 heartbeats' worth of messages per heartbeat interval and follower", IdleMessageBudget),
    ];

    private static string? InitialElection(GradeRun run)
    {
        run.Start(new SimulationOptions { Nodes = 3, Clients = 0, DurationMicros = 3 * Second });
        if (run.AwaitLeader(ElectionBound) is null) return Failed(run, "no leader within 2 s of start");
        if (!run.RunFor(Second)) return null;
        var terms = run.Sim.Nodes.Values.Select(n => n.Core.Term).Distinct().ToList();
        if (terms.Count > 1) return $"terms disagree 1 s after the election, with no faults: {Roles(run)}";
        if (run.NodesInLeaderRole().Count != 1) return $"expected exactly one node in role Leader 1 s after the election: {Roles(run)}";
        run.Finish();
        return null;
    }

    private static string? ReelectionAfterCrash(GradeRun run)
    {
        run.Start(new SimulationOptions { Nodes = 3, Clients = 0, DurationMicros = 6 * Second });
        if (run.AwaitLeader(ElectionBound) is not { } first) return Failed(run, "no leader within 2 s of start");
        run.RunFor(200_000);
        run.Crash(first, " (the leader)");
        if (run.AwaitLeader(ElectionBound) is null) return Failed(run, $"no new leader within 2 s of crashing the leader {first}");
        run.Restart(first);
        if (!run.RunFor(Second)) return null;
        if (run.Leader() is null) return Failed(run, $"no leader 1 s after {first} restarted");
        if (run.NodesInLeaderRole().Count != 1) return $"expected exactly one node in role Leader 1 s after {first} restarted: {Roles(run)}";
        run.Finish();
        return null;
    }

    private static string? ReelectionAfterDisconnect(GradeRun run)
    {
        run.Start(new SimulationOptions { Nodes = 3, Clients = 0, DurationMicros = 6 * Second });
        if (run.AwaitLeader(ElectionBound) is not { } first) return Failed(run, "no leader within 2 s of start");
        run.RunFor(200_000);
        run.Isolate(first, " (the leader)");
        if (run.AwaitLeader(ElectionBound) is null) return Failed(run, $"no new leader within 2 s of cutting off the leader {first}");
        run.RunFor(300_000);
        run.Heal();
        if (!run.RunFor(Second)) return null;
        if (run.Leader() is null) return Failed(run, $"no leader 1 s after healing");
        if (run.NodesInLeaderRole().Count != 1)
            return $"1 s after healing, more than one node is in role Leader (a leader that hears of a higher term must step down, §5.1): {Roles(run)}";
        run.Finish();
        return null;
    }

    private static string? NoElectionWithoutMajority(GradeRun run)
    {
        run.Start(new SimulationOptions { Nodes = 5, Clients = 0, DurationMicros = 8 * Second });
        if (run.AwaitLeader(ElectionBound) is not { } leader) return Failed(run, "no leader within 2 s of start");
        run.RunFor(200_000);
        var minority = run.Pick(run.Followers(leader), 2);
        var termAtCut = run.Sim.Nodes.Values.Max(n => n.Core.Term);
        run.Partition([minority]);
        var usurper = default(Core.NodeId?);
        var elected = run.RunUntil(run.Now + 2 * Second, () =>
            (usurper = run.NodesInLeaderRole().Cast<Core.NodeId?>().FirstOrDefault(n => run.NodeOf(n!.Value).Core.Term > termAtCut)) is not null);
        if (elected)
            return $"{usurper} became leader of term {run.NodeOf(usurper!.Value).Core.Term} with only {string.Join(" and ", minority)} connected (2 of 5): a leader needs the votes of a majority (§5.2)";
        if (run.Violated) return null;
        run.Heal();
        if (run.AwaitLeader(ElectionBound) is null) return Failed(run, "no leader within 2 s of healing");
        if (!run.RunFor(500_000)) return null;
        if (run.NodesInLeaderRole().Count != 1) return $"expected exactly one node in role Leader 0.5 s after a leader was elected: {Roles(run)}";
        run.Finish();
        return null;
    }

    private static string? ManyElections(GradeRun run)
    {
        run.Start(new SimulationOptions { Nodes = 7, Clients = 0, DurationMicros = 25 * Second });
        if (run.AwaitLeader(ElectionBound) is null) return Failed(run, "no leader within 2 s of start");
        for (var round = 1; round <= 8; round++)
        {
            var cut = run.Pick(run.Sim.Members, 3);
            var rest = run.Sim.Members.Where(m => !cut.Contains(m)).ToList();
            run.Partition([rest]);
            if (run.AwaitLeader(ElectionBound) is null)
                return Failed(run, $"round {round}: with {string.Join(", ", cut)} cut off, the other 4 of 7 elected no leader within 2 s");
            run.Heal();
            if (!run.RunFor(300_000)) return null;
        }
        if (run.AwaitLeader(ElectionBound) is null) return Failed(run, "no leader within 2 s after the last heal");
        run.Finish();
        return null;
    }

    private static string? OneElectionWithoutFaults(GradeRun run)
    {
        run.Start(new SimulationOptions { Nodes = 3, Clients = 3, DurationMicros = 5 * Second });
        var result = run.Finish();
        if (result.Violation is not null) return null;
        return result.Elections == 1 ? null
            : $"{result.Elections} elections in a run without faults; expected exactly 1 (a leader's heartbeats must reach its followers well within their election timeouts)";
    }

    private static string? IdleMessageBudget(GradeRun run)
    {
        var options = new SimulationOptions { Nodes = 3, Clients = 0, DurationMicros = 4 * Second };
        run.Start(options);
        if (run.AwaitLeader(ElectionBound) is null) return Failed(run, "no leader within 2 s of start");
        if (!run.RunFor(300_000)) return null;
        var before = run.Meter.Messages;
        const long idle = 2 * Second;
        if (!run.RunFor(idle)) return null;
        var sent = run.Meter.Messages - before;
        var heartbeatMicros = options.Raft.HeartbeatTicks * options.TickMicros;
        // Per follower and heartbeat interval: an AppendEntries and its answer. Three times that is the budget.
        var budget = 3 * 2 * (options.Nodes - 1) * (idle / heartbeatMicros);
        if (sent > budget)
            return $"{sent} messages in {TraceEvent.FormatTime(idle)} of an idle cluster; the budget is {budget} (3 x an AppendEntries and its answer per follower every {TraceEvent.FormatTime(heartbeatMicros)} heartbeat interval)";
        run.Finish();
        return null;
    }

    /// <summary>An expectation that failed, unless a violation came first (then the violation is the report).</summary>
    internal static string? Failed(GradeRun run, string expectation) => run.Violated ? null : expectation + $"; servers: {Roles(run)}";

    internal static string Roles(GradeRun run) => string.Join(", ", run.Sim.Nodes.Values.Select(n =>
        $"{n.Id} {(n.Status == Nodes.NodeStatus.Up ? n.Core.Role.ToString().ToLowerInvariant() : "down")} term {n.Core.Term}"));
}
