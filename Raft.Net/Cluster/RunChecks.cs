using System.Diagnostics;
using Raft.Core.StateMachine;
using Raft.Net.Parity;
using Raft.Simulation.Checkers.Linearizability;
using Raft.Simulation.Cli;

namespace Raft.Net.Cluster;

/// <summary>
/// The checks of a cluster run, from what it leaves on disk: replay parity and safety from the
/// nodes' input logs, linearizability of the clients' <see cref="HistoryFile"/>, and that no
/// acknowledged write was lost. <c>raft-net cluster</c> runs them when its workload ends, and
/// <c>raft-net check DIR</c> runs them again on a kept run directory.
/// </summary>
/// <remarks>
/// The replay runs beside the linearizability check (they share nothing). Memory: the input logs are
/// streamed; the history is held once, compactly (<see cref="HistoryFile.Read"/>), while the keys are
/// searched in rounds, at most one per core at a time and the searches kept between rounds bounded
/// (<c>PartitionRace.DefaultHeldBytes</c>); what grows with the run is listed in docs/bounds.md.
/// </remarks>
public sealed record RunChecks(
    RealRunChecker.Report Replay, LinearizabilityResult Linearizability, int LostWrites, int Operations,
    double ReplaySeconds, double LinearizabilitySeconds, double Seconds)
{
    /// <summary>Nothing failed and linearizability was decided: a pass.</summary>
    public bool Ok => NothingFailed && Linearizability.IsLinearizable;

    /// <summary>Nothing failed, but the linearizability search gave up.</summary>
    public bool Inconclusive => NothingFailed && Linearizability.IsInconclusive;

    /// <summary>0 passed, 1 a check failed, 3 inconclusive.</summary>
    public int ExitCode => Ok ? 0 : Inconclusive ? 3 : 1;

    private bool NothingFailed => Replay.Ok && Linearizability.Outcome != LinearizabilityOutcome.Violation && LostWrites == 0;

    /// <summary>
    /// Checks the run whose nodes kept their data in <paramref name="nodeDirectories"/> and whose
    /// clients' history is at <paramref name="historyPath"/>; each key's search may take
    /// <paramref name="stepBudget"/> steps. With <paramref name="keepCommittedEntries"/> the replay
    /// keeps the committed log (for <see cref="StoreCheck"/>).
    /// </summary>
    public static RunChecks Run(IReadOnlyList<string> nodeDirectories, string historyPath, long stepBudget, bool keepCommittedEntries = false)
    {
        var clock = Stopwatch.StartNew();
        var replay = Task.Run(() =>
        {
            var report = RealRunChecker.Check(nodeDirectories, keepCommittedEntries);
            return (Report: report, Seconds: clock.Elapsed.TotalSeconds);
        });
        try
        {
            var history = HistoryFile.Read(historyPath);
            // Keys are independent: their searches run on every core; the verdict does not depend on
            // which finishes first (PartitionRace).
            var linearizability = LinearizabilityChecker.Check(history, stepBudget, ParallelPartitionRunner.Run);
            var linearizabilitySeconds = clock.Elapsed.TotalSeconds;
            var (report, replaySeconds) = replay.GetAwaiter().GetResult();
            var lost = history.Count(op => op.IsComplete && op.Command.Operation != KvOperation.Get
                && !report.CommittedCommands.Contains((op.Command.ClientId, op.Command.Sequence)));
            return new RunChecks(report, linearizability, lost, history.Count, replaySeconds, linearizabilitySeconds, clock.Elapsed.TotalSeconds);
        }
        finally
        {
            // A failed history read must not leave the replay running unobserved.
            ((IAsyncResult)replay).AsyncWaitHandle.WaitOne();
        }
    }
}
