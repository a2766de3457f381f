using System.Globalization;
using System.Text;
using Raft.Net.Parity;
using Raft.Simulation.Checkers.Linearizability;

namespace Raft.Net.Cluster;

/// <summary>
/// The outcome of a real cluster run: passed (<see cref="Ok"/>), failed, or inconclusive (every
/// check passed except that the linearizability search ran out of budget: neither a pass nor a failure).
/// </summary>
public sealed record ClusterRunSummary(
    int Completed, int Pending, double Seconds, double P50Millis, double P99Millis, int Kills, int Cuts,
    IReadOnlyList<double> ReelectionMillis, RealRunChecker.Report Replay, LinearizabilityResult Linearizability, int LostWrites, double? RecoveryMillis, string DataRoot, IReadOnlyList<string> NodeLog,
    IReadOnlyList<string>? MembershipChanges = null, int MembershipChangesGivenUp = 0, string? FinalConfiguration = null)
{
    /// <summary>Passed: every check ran to a verdict and found nothing wrong.</summary>
    public bool Ok => NothingFailed && Linearizability.IsLinearizable;

    /// <summary>Nothing failed, but the linearizability search gave up, so the run proves nothing about linearizability.</summary>
    public bool Inconclusive => NothingFailed && Linearizability.IsInconclusive;

    /// <summary>The exit code of <c>raft-net cluster</c>: 0 passed, 1 a check failed, 3 inconclusive.</summary>
    public int ExitCode => Ok ? 0 : Inconclusive ? 3 : 1;

    private bool NothingFailed => Replay.Ok && Linearizability.Outcome != LinearizabilityOutcome.Violation && LostWrites == 0 && RecoveryMillis is not null
        && StoreMismatches == 0;

    public string Render()
    {
        var text = new StringBuilder();
        void Line(string label, string value) => text.Append(CultureInfo.InvariantCulture, $"{label,-18}{value}\n");
        Line("client ops", $"{Completed} completed, {Pending} unanswered");
        Line("throughput", string.Create(CultureInfo.InvariantCulture, $"{Completed / Math.Max(Seconds, 1e-9):0.0} ops/s over {Seconds:0.0}s"));
        Line("latency", string.Create(CultureInfo.InvariantCulture, $"p50 {P50Millis:0.00} ms, p99 {P99Millis:0.00} ms"));
        Line("faults", $"{Kills} kill -9, {Cuts} link cuts{(OneWayCuts > 0 ? $" ({OneWayCuts} one-way)" : "")}, {Partitions} partitions");
        if (Network is not null) Line("network", Network);
        if (Shaping is not null) Line("shaping", Shaping);
        foreach (var problem in ShapingProblems) Line("", problem);
        Line("elections", $"{Replay.Elections}");
        if (FinalConfiguration is not null)
        {
            Line("membership", $"{MembershipChanges?.Count ?? 0} changes committed{(MembershipChangesGivenUp > 0 ? $", {MembershipChangesGivenUp} given up" : "")}");
            foreach (var change in MembershipChanges ?? []) Line("", change);
            Line("configuration", FinalConfiguration);
        }
        if (ReelectionMillis.Count > 0)
            Line("re-election", string.Create(CultureInfo.InvariantCulture, $"{ReelectionMillis.Count} leader kills, new leader after {string.Join(", ", ReelectionMillis.Select(m => m.ToString("0", CultureInfo.InvariantCulture)))} ms"));
        RenderChecks(Replay, Linearizability, LostWrites, Line);
        if (Stores is not null)
        {
            Line("stores", StoreMismatches == 0
                ? $"ok: {Stores.Count} databases each hold the committed log up to their last applied entry, applied once"
                : $"{StoreMismatches} of {Stores.Count} databases DIFFER from the committed log");
            foreach (var store in Stores) Line("", store);
        }
        Line("recovered", RecoveryMillis is { } ms
            ? string.Create(CultureInfo.InvariantCulture, $"a new write was answered {ms:0} ms after faults stopped")
            : "NO: a new write was not answered within 15 s after faults stopped");
        Line("data", DataDeleted ? "deleted: the run passed (--data DIR keeps it)" : DataRoot);
        text.Append(Ok ? "OK\n" : Inconclusive ? "INCONCLUSIVE: no check failed, but linearizability was not decided\n" : "FAILED\n");
        return text.ToString();
    }

    /// <summary>The lines of the checks a run directory allows (<see cref="RunChecks"/>): replay parity, safety, linearizability, lost writes.</summary>
    internal static void RenderChecks(RealRunChecker.Report replay, LinearizabilityResult linearizability, int lostWrites, Action<string, string> line)
    {
        line("replay parity", replay.ParityMismatches == 0
            ? $"ok: {replay.InputsReplayed} inputs of {replay.Incarnations} incarnations replayed to identical effects"
            : $"{replay.ParityMismatches} MISMATCHES, first at {replay.FirstMismatch}");
        line("safety", replay.Safety is null ? "ok" : $"VIOLATION {replay.Safety}");
        line("linearizable", linearizability.Outcome switch
        {
            LinearizabilityOutcome.Linearizable => "ok",
            LinearizabilityOutcome.Unknown => $"INCONCLUSIVE: the search gave up on key {linearizability.Key} after {linearizability.Steps} search steps over all keys (raise --lin-budget)",
            _ => "VIOLATION\n" + linearizability.Render(),
        });
        line("acknowledged", lostWrites == 0 ? "every acknowledged write is committed" : $"{lostWrites} acknowledged writes LOST");
    }

    /// <summary>With <c>--store sqlite</c>: one line per node's database, from <see cref="StoreCheck"/>; null when not checked.</summary>
    public IReadOnlyList<string>? Stores { get; init; }

    /// <summary>How many of <see cref="Stores"/> differ from the committed log.</summary>
    public int StoreMismatches { get; init; }

    /// <summary>Link cuts that dropped one direction only (kernel network).</summary>
    public int OneWayCuts { get; init; }

    /// <summary>Times a node was isolated from all the others.</summary>
    public int Partitions { get; init; }

    /// <summary>How faults were made when not by the nodes themselves; null for loopback.</summary>
    public string? Network { get; init; }

    /// <summary>With a shaped kernel network: the shaping and what the shapers did (packets delayed, duplicated, reordered); null otherwise.</summary>
    public string? Shaping { get; init; }

    /// <summary>Shapers that died or complained during the run (their packets then went unshaped, not lost).</summary>
    public IReadOnlyList<string> ShapingProblems { get; init; } = [];

    /// <summary>Seconds the post-run checks took (replay parity and safety, linearizability, lost writes).</summary>
    public double CheckSeconds { get; init; }

    /// <summary>The nodes' data under <see cref="DataRoot"/> was deleted after the run, so the summary does not name it.</summary>
    public bool DataDeleted { get; init; }
}
