using Raft.Core;
using Raft.Core.Messages;
using Raft.Core.Storage;

namespace Raft.Simulation.Checkers;

/// <summary>
/// Thesis §3.8: what a server tells others must survive its crash. Each check compares what a
/// message or an answer promises with what the sender's disk holds at the moment it is released
/// (<see cref="Nodes.SimDisk.StateAt"/>), not with what the node issued or says it stored. A driver
/// that releases too early (see <see cref="Execution.DriverBug"/>) fails here.
/// </summary>
public static class DurabilityChecker
{
    /// <summary>
    /// A granted vote promises the vote is stored; a successful append acknowledgement that the
    /// entries up to its index (as the node wrote them) and its term are; an installed snapshot
    /// that the snapshot is. Returns what is missing, or null.
    /// </summary>
    public static string? CheckMessage(Message message, MemoryStorage durable, MemoryStorage written) => message switch
    {
        RequestVoteResponse { VoteGranted: true } vote when durable.HardState != new HardState(vote.Term, vote.To) =>
            $"grants a vote in term {vote.Term} while the disk holds {durable.HardState}",
        AppendEntriesResponse { Success: true } ack when durable.HardState.Term < ack.Term =>
            $"acknowledges in term {ack.Term} while the disk holds term {durable.HardState.Term}",
        AppendEntriesResponse { Success: true } ack when !HoldsEntry(durable, ack.Index, written.TermAt(ack.Index)) =>
            $"acknowledges entries up to {ack.Index} while the disk holds {Describe(durable)}",
        InstallSnapshotResponse { Done: true } ack when durable.HardState.Term < ack.Term || durable.SnapshotIndex < ack.LastIncludedIndex && durable.LastIndex < ack.LastIncludedIndex =>
            $"acknowledges a snapshot up to {ack.LastIncludedIndex} in term {ack.Term} while the disk holds term {durable.HardState.Term}, {Describe(durable)}",
        _ => null,
    };

    /// <summary>An answer that a write took effect promises that the entry (index, term) that carried it is stored.</summary>
    public static string? CheckWriteAnswer(long index, long term, MemoryStorage durable) =>
        HoldsEntry(durable, index, term) ? null : $"answers a client for entry {index}@{term} while the disk holds {Describe(durable)}";

    /// <summary>An answer to a read reflects every entry applied so far: they must be stored.</summary>
    public static string? CheckReadAnswer(long appliedIndex, MemoryStorage durable) =>
        durable.LastIndex >= appliedIndex ? null : $"answers a read after applying up to {appliedIndex} while the disk holds {Describe(durable)}";

    /// <summary>
    /// Whether the disk holds index <paramref name="index"/> with <paramref name="term"/>; a snapshot
    /// covering it counts, and so does any entry there when the term is unknown (compacted since).
    /// </summary>
    private static bool HoldsEntry(MemoryStorage durable, long index, long? term) =>
        index < durable.SnapshotIndex || (index <= durable.LastIndex && (index == 0 || term is null || durable.TermAt(index) == term));

    private static string Describe(MemoryStorage disk) =>
        disk.LastIndex == 0 ? "an empty log" : $"a log up to {disk.LastIndex}@{disk.TermAt(disk.LastIndex)}";
}
