using Raft.Simulation.Faults;
using Raft.Simulation.Network;

namespace Raft.Simulation.Grading;

/// <summary>
/// Lab 5, a linearizable key-value service: gets are served with ReadIndex (thesis §6.4), not
/// through the log. The node must confirm it still leads (a heartbeat round acknowledged by a
/// majority, after it has committed an entry of its term) before it answers a read, and must answer
/// every read eventually. Exactly-once writes come from the clients' ids and sequence numbers, which
/// the store applies once (thesis §6.3); retried commands are checked through linearizability.
/// </summary>
internal static class Lab5Reads
{
    private const long Second = 1_000_000;
    private const long SettleBound = Second;

    public static IReadOnlyList<GradeTest> Tests { get; } =
    [
        new(5, "reads-answered", 10, "3 servers, no faults, 90% reads: every read is answered (ReadIndex), linearizably", ReadsAnswered, Replayable: true),
        new(5, "reads-from-a-deposed-leader", 15, "each server in turn is cut off for 400 ms while clients keep reading from it: a leader that lost its majority must not answer from its stale state", DeposedLeaderReads, Replayable: true),
        new(5, "exactly-once-under-retries", 10, "5 servers, a lossy, duplicating network and crashes: retried writes apply once and every answer is linearizable", ExactlyOnce, Replayable: true),
        new(5, "exactly-once-across-snapshots", 10, "snapshots every 5 entries, each server crashing in turn, a lossy network and impatient clients: a retry that reaches a server restored from a snapshot still applies once (the sessions are in the snapshot)", AcrossSnapshots, Replayable: true),
    ];

    private static string? ReadsAnswered(GradeRun run)
    {
        run.Start(new SimulationOptions { Nodes = 3, Clients = 4, ReadPercent = 90, DurationMicros = 4 * Second, Reads = ReadMode.ReadIndex }, readIndex: true);
        run.Finish();
        return run.Violated ? null : run.AwaitSameState(SettleBound) ?? run.StoresMatchTheCommittedLog();
    }

    /// <summary>As ReadModeTests: clients that time out fast and read mostly keep asking a leader that has just been cut off.</summary>
    private static string? DeposedLeaderReads(GradeRun run)
    {
        var schedule = string.Join("; ", Enumerable.Range(0, 6).Select(i => $"at {500 + 600 * i}ms isolate n{1 + i % 3}; at {900 + 600 * i}ms heal"));
        run.Start(new SimulationOptions
        {
            Nodes = 3, Clients = 3, ReadPercent = 90, DurationMicros = 5 * Second, Reads = ReadMode.ReadIndex,
            ClientTimeoutMicros = 30_000, Schedule = FaultScheduleText.Parse(schedule),
            Raft = new Core.RaftOptions { ElectionTicks = 30 },
        }, readIndex: true);
        run.Finish();
        return run.Violated ? null : run.AwaitSameState(SettleBound) ?? run.StoresMatchTheCommittedLog();
    }

    /// <summary>
    /// Short client timeouts make retries common, and frequent snapshots with crashes make servers
    /// restart from a snapshot: a store that leaves its sessions out of the snapshot applies a
    /// retry twice there, and the history is no longer linearizable.
    /// </summary>
    private static string? AcrossSnapshots(GradeRun run)
    {
        // Each server in turn crashes for 100 ms every 250 ms: it restarts from its latest snapshot.
        var schedule = string.Join("; ", Enumerable.Range(0, 22).Select(i => $"at {250 + 250 * i}ms crash n{1 + i % 3}; at {350 + 250 * i}ms restart n{1 + i % 3}"));
        run.Start(new SimulationOptions
        {
            Nodes = 3, Clients = 4, ReadPercent = 20, DurationMicros = 6 * Second, Reads = ReadMode.ReadIndex,
            ClientTimeoutMicros = 15_000, SnapshotEveryEntries = 5, Schedule = FaultScheduleText.Parse(schedule),
            Network = LinkProfile.Unreliable,
        }, readIndex: true);
        run.Finish();
        return run.Violated ? null : run.AwaitSameState(SettleBound) ?? run.StoresMatchTheCommittedLog();
    }

    private static string? ExactlyOnce(GradeRun run)
    {
        run.Start(new SimulationOptions
        {
            Nodes = 5, Clients = 5, ReadPercent = 30, DurationMicros = 6 * Second, Reads = ReadMode.ReadIndex,
            ClientTimeoutMicros = 40_000, // clients that give up fast retry often: many commands reach the log twice
            Faults = FaultProfile.Crashes, Network = LinkProfile.Unreliable,
        }, readIndex: true);
        run.Finish();
        return run.Violated ? null : run.AwaitSameState(SettleBound) ?? run.StoresMatchTheCommittedLog();
    }
}
