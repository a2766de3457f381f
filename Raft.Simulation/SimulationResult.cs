using Raft.Simulation.Checkers;
using Raft.Simulation.Checkers.Linearizability;
using Raft.Simulation.History;
using Raft.Simulation.Tracing;

namespace Raft.Simulation;

/// <summary>
/// The outcome of one run: passed (<see cref="Ok"/>), failed (<see cref="Violation"/>), or
/// inconclusive (<see cref="Inconclusive"/>: no violation, but the linearizability search ran out
/// of budget, so the run proves nothing about linearizability). <see cref="Linearizability"/> is
/// the verdict on the client history, null when it was not checked (a run that failed earlier).
/// </summary>
public sealed record SimulationResult(
    ulong Seed,
    string Digest,
    Violation? Violation,
    long EndMicros,
    int Elections,
    long CommittedIndex,
    long MessagesSent,
    long MessagesDropped,
    int ClientOperations,
    IReadOnlyList<ClientOperation> History,
    IReadOnlyCollection<TraceEvent> RecentTrace,
    int MembershipChangesCommitted = 0,
    IReadOnlyList<ServerState>? Servers = null,
    LinearizabilityResult? Linearizability = null)
{
    /// <summary>Passed: no property violated and every check conclusive.</summary>
    public bool Ok => Violation is null && !Inconclusive;

    /// <summary>No violation, but the linearizability check gave up (search step budget spent): neither a pass nor a failure.</summary>
    public bool Inconclusive => Violation is null && Linearizability is { IsInconclusive: true };
}
