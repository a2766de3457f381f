using Raft.Core.Log;

namespace Raft.Core.Messages;

/// <summary>
/// AppendEntries RPC (Figure 2): replicate <see cref="Entries"/> after (PrevLogIndex, PrevLogTerm);
/// with no entries it is a heartbeat. <see cref="LeaderCommit"/> carries the commit index to followers.
/// </summary>
public sealed record AppendEntries(
    NodeId From, NodeId To, long Term, long Id,
    long PrevLogIndex, long PrevLogTerm, IReadOnlyList<LogEntry> Entries, long LeaderCommit)
    : Message(From, To, Term, Id)
{
    public override string Kind => "AppendEntries";

    /// <summary>Index of the last entry this message carries (PrevLogIndex for a heartbeat).</summary>
    public long LastIndex => PrevLogIndex + Entries.Count;

    public override string ToString() =>
        $"AppendEntries#{Id} {From}->{To} term={Term} prev={PrevLogIndex}@{PrevLogTerm} entries={EntriesText()} commit={LeaderCommit}";

    private string EntriesText() => Entries.Count switch
    {
        0 => "[]",
        1 => $"[{Entries[0].Index}@{Entries[0].Term}]",
        _ => $"[{Entries[0].Index}..{LastIndex} terms {string.Join(",", Entries.Select(e => e.Term).Distinct())}]",
    };
}
