using Raft.Core.Messages;

namespace Raft.Simulation.Scenarios;

/// <summary>A message in the scenario's network, numbered in the order it was sent so that commands can name it.</summary>
public sealed record InFlightMessage(int Number, Message Message)
{
    /// <summary>The message without the core's internal ids, which mean nothing to a reader.</summary>
    public override string ToString() => Message switch
    {
        RequestVote m => $"{Number} {m.From}->{m.To} RequestVote term={m.Term} last={m.LastLogIndex}@{m.LastLogTerm}",
        RequestVoteResponse m => $"{Number} {m.From}->{m.To} Vote term={m.Term} {(m.VoteGranted ? "granted" : "rejected")}",
        AppendEntries m => $"{Number} {m.From}->{m.To} AppendEntries term={m.Term} prev={m.PrevLogIndex}@{m.PrevLogTerm} entries=[{string.Join(' ', m.Entries.Select(e => $"{e.Index}@{e.Term}"))}] commit={m.LeaderCommit}",
        AppendEntriesResponse m => m.Success
            ? $"{Number} {m.From}->{m.To} AppendOk term={m.Term} match={m.Index}"
            : $"{Number} {m.From}->{m.To} AppendReject term={m.Term} prev={m.Index} hint={m.HintIndex}@{m.HintTerm}",
        InstallSnapshot m => $"{Number} {m.From}->{m.To} InstallSnapshot term={m.Term} last={m.LastIncludedIndex}@{m.LastIncludedTerm} offset={m.Offset} bytes={m.Data.Length}{(m.Done ? " done" : "")}",
        InstallSnapshotResponse m => $"{Number} {m.From}->{m.To} SnapshotReply term={m.Term} last={m.LastIncludedIndex} {(m.Done ? "installed" : $"next-offset={m.NextOffset}")}",
        _ => $"{Number} {Message.From}->{Message.To} {Message.Kind} term={Message.Term}",
    };
}
