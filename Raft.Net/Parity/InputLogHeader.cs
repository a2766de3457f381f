using Raft.Core;
using Raft.Core.Log;

namespace Raft.Net.Parity;

/// <summary>The first line of an input log: everything needed to rebuild the core as it started.</summary>
public sealed record InputLogHeader(
    NodeId Node, int Incarnation, IReadOnlyList<NodeId> Members, ulong RandomSeed, long FirstMessageId,
    RaftOptions Options, HardState HardState, IReadOnlyList<LogEntry> Entries, string ClusterId, Snapshot? Snapshot = null);
