using Raft.Core.Log;
using Raft.Core.Messages;

namespace Raft.Core.Node;

/// <summary>
/// Peer messages are untrusted input: a buggy or faulty server, or a frame that decodes but lies.
/// Before acting on a message the node checks what no correct peer could have sent: indices and
/// terms out of range, entries that do not follow PrevLogIndex, answers to requests never sent,
/// acknowledgements of more than the leader sent, entries that contradict committed ones. Such a
/// message is dropped and counted in <see cref="IgnoredMessages"/>; it never throws. Dropping is
/// always safe, since Raft tolerates lost messages (§5.1), and a correct peer never trips these
/// checks, so they cost nothing in a healthy cluster. This is not Byzantine fault tolerance: a
/// peer that lies within these bounds can still do harm.
/// </summary>
public sealed partial class RaftNode
{
    /// <summary>
    /// Highest term or index a peer may name. Far beyond any real cluster (2^62 elections at one
    /// per microsecond take 146,000 years), and far enough below <see cref="long.MaxValue"/> that
    /// term + 1 and index + count never overflow.
    /// </summary>
    public const long MaxTermOrIndex = 1L << 62;

    /// <summary>Checks that need nothing but the message and the ids this node has used.</summary>
    private bool IsPlausible(Message message) => IsTermOrIndex(message.Term) && message switch
    {
        RequestVote request => IsLogPosition(request.LastLogIndex, request.LastLogTerm) && request.LastLogTerm <= request.Term,
        PreVote request => IsLogPosition(request.LastLogIndex, request.LastLogTerm) && request.LastLogTerm < request.Term,
        AppendEntries append => IsPlausible(append),
        InstallSnapshot chunk => IsLogPosition(chunk.LastIncludedIndex, chunk.LastIncludedTerm) && chunk.LastIncludedIndex > 0
            && chunk.LastIncludedTerm <= chunk.Term && chunk.Offset >= 0 && chunk.Offset <= int.MaxValue - chunk.Data.Length,
        RequestVoteResponse response => AnswersSentMessage(response.InReplyTo),
        PreVoteResponse response => AnswersSentMessage(response.InReplyTo),
        AppendEntriesResponse response => AnswersSentMessage(response.InReplyTo) && IsTermOrIndex(response.Index)
            && IsTermOrIndex(response.HintIndex) && IsTermOrIndex(response.HintTerm),
        InstallSnapshotResponse response => AnswersSentMessage(response.InReplyTo) && IsTermOrIndex(response.LastIncludedIndex)
            && response.NextOffset >= 0,
        _ => true,
    };

    /// <summary>
    /// As a leader sends them: the entries follow PrevLogIndex one by one, with terms that never
    /// decrease from PrevLogTerm and never exceed the leader's term (Figure 2, §5.3).
    /// </summary>
    private static bool IsPlausible(AppendEntries append)
    {
        if (!IsLogPosition(append.PrevLogIndex, append.PrevLogTerm) || append.PrevLogTerm > append.Term) return false;
        if (!IsTermOrIndex(append.LeaderCommit) || append.PrevLogIndex > MaxTermOrIndex - append.Entries.Count) return false;
        var previousTerm = append.PrevLogTerm;
        for (var i = 0; i < append.Entries.Count; i++)
        {
            var entry = append.Entries[i];
            if (entry.Index != append.PrevLogIndex + 1 + i || entry.Term < Math.Max(1, previousTerm) || entry.Term > append.Term) return false;
            previousTerm = entry.Term;
        }
        return true;
    }

    /// <summary>
    /// Follower: no correct leader contradicts an entry this node knows is committed (Leader
    /// Completeness, §5.4); only a faulty one would make it truncate its committed log.
    /// </summary>
    private bool ContradictsCommitted(IReadOnlyList<LogEntry> entries)
    {
        var committedHere = Math.Min(CommitIndex, log.LastIndex);
        for (var i = 0; i < entries.Count; i++) // a loop, not LINQ: every AppendEntries passes here
        {
            var e = entries[i];
            if (e.Index >= log.SnapshotIndex && e.Index <= committedHere && log.TermAt(e.Index) != e.Term) return true;
        }
        return false;
    }

    /// <summary>
    /// Leader: an answer can only be about what this leader sent that follower. An AppendEntries
    /// response names a PrevLogIndex or a last entry sent, an InstallSnapshot response a snapshot
    /// sent; none may exceed <see cref="Progress.HighestSent"/>.
    /// </summary>
    private static bool IsPlausibleAnswer(Progress pr, Message message) => message switch
    {
        AppendEntriesResponse response => response.Index <= pr.HighestSent,
        InstallSnapshotResponse response => response.LastIncludedIndex <= pr.HighestSent,
        _ => true,
    };

    /// <summary>Message ids grow, so an answer to an id this node has not used yet answers nothing it sent.</summary>
    private bool AnswersSentMessage(long inReplyTo) => inReplyTo < nextMessageId;

    /// <summary>A message that fails a check above: drop it, and count it.</summary>
    private void IgnoreImplausible() => IgnoredMessages++;

    /// <summary>An (index, term) pair as logs have them: both 0 (the empty prefix), or both positive.</summary>
    private static bool IsLogPosition(long index, long term) =>
        IsTermOrIndex(index) && IsTermOrIndex(term) && (index == 0) == (term == 0);

    private static bool IsTermOrIndex(long value) => value is >= 0 and <= MaxTermOrIndex;
}
