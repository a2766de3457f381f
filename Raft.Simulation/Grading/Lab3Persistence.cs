using Raft.Simulation.Faults;
using Raft.Simulation.Network;
using static Raft.Simulation.Grading.Lab1Election;

namespace Raft.Simulation.Grading;

/// <summary>
/// Lab 3, persistence (Figure 2's persistent state, thesis §3.8): servers crash and restart from
/// what they stored. The simulator checks that a restarted node starts from exactly the term and
/// vote on its disk, that no vote or acknowledgement leaves before what it promises is durable,
/// and that every acknowledged write survives (linearizability).
/// </summary>
internal static class Lab3Persistence
{
    private const long Second = 1_000_000;
    private const long ElectionBound = 2 * Second;
    private const long SettleBound = Second;

    public static IReadOnlyList<GradeTest> Tests { get; } =
    [
        new(3, "crash-all", 10, "all 3 servers crash and restart, twice, at seeded times, under client load", CrashAll, Replayable: true),
        new(3, "crash-leader", 10, "the leader crashes and restarts 4 times under client load", CrashLeader),
        new(3, "crash-followers", 10, "5 servers: two followers crash and restart, 4 times", CrashFollowers),
        new(3, "unreliable-with-crashes", 10, "5 servers, lossy, duplicating, reordering network and random crashes for 8 s", UnreliableWithCrashes),
        new(3, "figure-8-unreliable", 10, "the figure-8 story with crashes, on a lossy network that holds some messages for 0.2-2.2 s (§5.4.2)", run => Figure8.Run(run, crashes: true, unreliable: true)),
        new(3, "acknowledged-writes-survive", 10, "half reads: every acknowledged write is seen after whole-cluster crashes (linearizability)", AcknowledgedWritesSurvive, Replayable: true),
    ];

    private static string? CrashAll(GradeRun run) => CrashEverything(run, readPercent: 30);

    private static string? AcknowledgedWritesSurvive(GradeRun run) => CrashEverything(run, readPercent: 50);

    /// <summary>Crashes every server at a seeded time around 1.5 s, restarts them, then again around 4 s.</summary>
    private static string? CrashEverything(GradeRun run, int readPercent)
    {
        var schedule = new List<FaultAction>();
        foreach (var start in new[] { 1_500_000L, 4_000_000L })
        {
            for (var n = 1; n <= 3; n++)
            {
                var down = start + run.Random.Next(300) * 1000L;
                schedule.Add(new CrashFault(down, n));
                schedule.Add(new RestartFault(down + 200_000 + run.Random.Next(500) * 1000L, n));
            }
        }
        run.Start(new SimulationOptions { Nodes = 3, Clients = 5, ReadPercent = readPercent, DurationMicros = 6 * Second, Schedule = [.. schedule.OrderBy(a => a.AtMicros)] });
        var result = run.Finish();
        if (run.Violated) return null;
        if (result.ClientOperations < 20) return $"only {result.ClientOperations} client operations completed in 6 s with two whole-cluster crashes (expected at least 20)";
        return run.AwaitSameState(SettleBound);
    }

    private static string? CrashLeader(GradeRun run)
    {
        run.Start(new SimulationOptions { Nodes = 3, Clients = 3, ReadPercent = 30, DurationMicros = 12 * Second });
        for (var round = 1; round <= 4; round++)
        {
            if (run.AwaitLeader(ElectionBound) is not { } leader) return Failed(run, $"round {round}: no leader within 2 s");
            if (!run.RunFor(300_000 + run.Random.Next(300) * 1000L)) return null;
            run.Crash(leader, " (the leader)");
            if (!run.RunFor(500_000)) return null;
            run.Restart(leader);
        }
        run.Finish();
        return run.AwaitSameState(SettleBound);
    }

    private static string? CrashFollowers(GradeRun run)
    {
        run.Start(new SimulationOptions { Nodes = 5, Clients = 3, ReadPercent = 30, DurationMicros = 12 * Second });
        for (var round = 1; round <= 4; round++)
        {
            if (run.AwaitLeader(ElectionBound) is not { } leader) return Failed(run, $"round {round}: no leader within 2 s");
            if (!run.RunFor(200_000)) return null;
            var followers = run.Pick(run.Followers(leader), 2);
            foreach (var f in followers) run.Crash(f, " (a follower)");
            if (!run.RunFor(500_000 + run.Random.Next(500) * 1000L)) return null;
            foreach (var f in followers) run.Restart(f);
        }
        run.Finish();
        return run.AwaitSameState(SettleBound);
    }

    private static string? UnreliableWithCrashes(GradeRun run)
    {
        run.Start(new SimulationOptions { Nodes = 5, Clients = 5, DurationMicros = 8 * Second, Faults = FaultProfile.Crashes, Network = LinkProfile.Unreliable });
        run.Finish();
        return run.AwaitSameState(SettleBound);
    }
}
