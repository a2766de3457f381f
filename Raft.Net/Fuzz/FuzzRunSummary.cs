using System.Globalization;
using System.Text;
using Raft.Core;
using Raft.Net.Parity;

namespace Raft.Net.Fuzz;

/// <summary>
/// What a <see cref="FuzzRun"/> sent and what it found. The run passes when no node stopped
/// itself, the cluster answered a write after every burst within the bound and once more at the
/// end, every node caught up, replay parity and safety hold, and no acknowledged write is missing
/// from the committed log.
/// </summary>
public sealed record FuzzRunSummary(
    long FramesSent,
    IReadOnlyDictionary<Role, long> FramesByTargetRole,
    IReadOnlyDictionary<string, long> FramesByKind,
    IReadOnlyDictionary<string, int> BurstsByTarget,
    IReadOnlyDictionary<string, long> DropsByReason,
    IReadOnlyList<string> Faults,
    IReadOnlyList<string> ServeFailures,
    double SlowestServeMillis,
    long WritesAcknowledged,
    long LostWrites,
    bool CaughtUp,
    long FinalTerm,
    RealRunChecker.Report Replay,
    double Seconds,
    string DataRoot,
    IReadOnlyList<string> FinalNodes)
{
    public bool Ok => Faults.Count == 0 && ServeFailures.Count == 0 && CaughtUp && Replay.Ok && LostWrites == 0;

    /// <summary>Whether the data directory was deleted (a passing run in a temporary directory).</summary>
    public bool DataDeleted { get; init; }

    public string Render()
    {
        var text = new StringBuilder();
        void Line(string label, string value) => text.Append(CultureInfo.InvariantCulture, $"{label,-18}{value}\n");
        string Counts<TKey>(IReadOnlyDictionary<TKey, long> counts) where TKey : notnull =>
            string.Join(", ", counts.OrderByDescending(c => c.Value).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value:N0}")));
        Line("frames sent", string.Create(CultureInfo.InvariantCulture, $"{FramesSent:N0} in {Seconds:0.0}s ({FramesSent / Math.Max(Seconds, 1e-9):N0}/s)"));
        Line("by target role", Counts(FramesByTargetRole) + " (the target's role as last seen, sampled every 64 frames)");
        Line("bursts", string.Join(", ", BurstsByTarget.Select(b => $"{b.Value} at the {b.Key}")));
        Line("by kind", Counts(FramesByKind));
        Line("dropped (codec)", DropsByReason.Count == 0 ? "none" : Counts(DropsByReason));
        Line("elections", string.Create(CultureInfo.InvariantCulture, $"{Replay.Elections} leaders elected, final term {FinalTerm:N0}"));
        Line("node faults", Faults.Count == 0 ? "none: no node stopped itself" : $"{Faults.Count} STOPPED: {string.Join("; ", Faults)}");
        Line("serving", ServeFailures.Count == 0
            ? string.Create(CultureInfo.InvariantCulture, $"a write was answered after every burst (slowest {SlowestServeMillis:0} ms)")
            : $"{ServeFailures.Count} bursts after which NO write was answered in time: {string.Join("; ", ServeFailures.Take(5))}");
        Line("caught up", CaughtUp ? "every node reached the same commit index at the end" : "NO: a node did not catch up at the end");
        foreach (var node in FinalNodes) Line("", node);
        Line("replay parity", Replay.ParityMismatches == 0
            ? $"ok: {Replay.InputsReplayed:N0} inputs of {Replay.Incarnations} incarnations replayed to identical effects"
            : $"{Replay.ParityMismatches} MISMATCHES, first at {Replay.FirstMismatch}");
        Line("safety", Replay.Safety is null ? "ok" : $"VIOLATION {Replay.Safety}");
        Line("acknowledged", LostWrites == 0 ? $"all {WritesAcknowledged} acknowledged writes are committed" : $"{LostWrites} of {WritesAcknowledged} acknowledged writes LOST");
        Line("data", DataDeleted ? "deleted: the run passed (--data DIR keeps it)" : DataRoot);
        text.Append(Ok ? "OK\n" : "FAILED\n");
        return text.ToString();
    }
}
