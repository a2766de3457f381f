using Raft.Simulation.Checkers;
using Raft.Simulation.History;
using Raft.Simulation.Tracing;

namespace Raft.Simulation;

/// <summary>The outcome of one run.</summary>
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
    IReadOnlyList<ServerState>? Servers = null)
{
    public bool Ok => Violation is null;
}
