using Raft.Core;
using Raft.Simulation.Cli;
using Raft.Simulation.Faults;
using Raft.Simulation.Network;

namespace Raft.Simulation;

/// <summary>
/// A complete, explicit description of one run, small enough to generate and shrink: the seed
/// drives timeouts, latencies and clients; the fault schedule, membership changes included, is
/// spelled out action by action (so a case never needs <see cref="SimulationOptions.MembershipChanges"/>).
/// With <c>Unreliable</c> the links lose, duplicate and reorder messages from the start (as explore's
/// unreliable and chaos profiles do), and <c>LongDelayRate</c> holds that share of messages for
/// 200 ms to 2.2 s (<see cref="LinkProfile.LongDelayRate"/>).
/// </summary>
public sealed record SimulationCase(
    ulong Seed,
    int Nodes,
    int Clients,
    long DurationMicros,
    int MaxEntriesPerAppend,
    double MaxClockDrift,
    IReadOnlyList<FaultAction> Schedule,
    TeachingBug Bug = TeachingBug.None,
    bool PreVote = false,
    bool CheckQuorum = false,
    ReadMode Reads = ReadMode.ReadIndex,
    int Spares = 0,
    int SnapshotEvery = 0,
    bool Unreliable = false,
    double LongDelayRate = 0)
{
    public SimulationOptions ToOptions(bool keepTrace = false) => new()
    {
        Seed = Seed,
        Nodes = Nodes,
        Spares = Spares,
        Clients = Clients,
        DurationMicros = DurationMicros,
        MaxClockDrift = MaxClockDrift,
        Schedule = Schedule,
        // The explicit schedule is what runs; the profile only picks the links, and names them in the replay command.
        Faults = Unreliable ? FaultProfile.Unreliable : FaultProfile.None,
        Network = (Unreliable ? LinkProfile.Unreliable : LinkProfile.Reliable) with { LongDelayRate = LongDelayRate },
        Raft = new RaftOptions
        {
            Bug = Bug, MaxEntriesPerAppend = MaxEntriesPerAppend, PreVote = PreVote, CheckQuorum = CheckQuorum,
            LeaseReads = Reads == ReadMode.Lease,
            MaxSnapshotChunkBytes = RunOptionSet.DefaultSnapshotChunkBytes,
        },
        Reads = Reads,
        SnapshotEveryEntries = SnapshotEvery,
        KeepTrace = keepTrace,
    };

    /// <summary>The command that reruns exactly this case.</summary>
    public string ReplayCommand() => RunOptionSet.ReplayCommand(ToOptions());

    public override string ToString() =>
        $"seed={Seed} nodes={Nodes} spares={Spares} clients={Clients} duration={RunOptionSet.FormatDuration(DurationMicros)} max-entries={MaxEntriesPerAppend} drift={MaxClockDrift} bug={Bug} prevote={PreVote} check-quorum={CheckQuorum} reads={Reads} snapshot-every={SnapshotEvery} network={(Unreliable ? "unreliable" : "reliable")} long-delays={LongDelayRate}\n" +
        $"  schedule ({Schedule.Count} actions): {(Schedule.Count == 0 ? "(none)" : FaultScheduleText.Format(Schedule))}";
}
