using Raft.Core.Log;
using Raft.Core.Messages;

namespace Raft.Net.Wire;

/// <summary>
/// The invariants every message from a correct server satisfies. The decoder checks them so that
/// the core never receives a message it could not have been sent by a correct peer; a message
/// that breaks one is dropped as <see cref="DropReason.Invalid"/>.
/// </summary>
public static class MessageInvariants
{
    /// <summary>True when <paramref name="message"/> satisfies every invariant of its type.</summary>
    public static bool Hold(Message message) =>
        message.Term >= 0 && message.Id >= 0 && message switch
        {
            RequestVote vote => HoldForRequestVote(vote),
            RequestVoteResponse response => response.InReplyTo >= 0,
            PreVote preVote => HoldForPreVote(preVote),
            PreVoteResponse response => response.InReplyTo >= 0,
            TimeoutNow timeoutNow => timeoutNow.Term >= 1,
            AppendEntries append => HoldForAppendEntries(append),
            AppendEntriesResponse response => HoldForAppendEntriesResponse(response),
            InstallSnapshot chunk => HoldForInstallSnapshot(chunk),
            InstallSnapshotResponse response => response.InReplyTo >= 0 && response.LastIncludedIndex >= 1 && response.NextOffset >= 0,
            _ => false,
        };

    // A candidate's last log term is a term it has lived through, so at most its current term;
    // an empty log (index 0) has term 0.
    private static bool HoldForRequestVote(RequestVote vote) =>
        vote.LastLogIndex >= 0 && vote.LastLogTerm >= 0 && vote.LastLogTerm <= vote.Term &&
        (vote.LastLogIndex > 0 || vote.LastLogTerm == 0);

    // A pre-candidate asks about its current term + 1, which is above every term it has lived
    // through, so above its last log term; an empty log (index 0) has term 0.
    private static bool HoldForPreVote(PreVote preVote) =>
        preVote.Term >= 1 && preVote.LastLogIndex >= 0 && preVote.LastLogTerm >= 0 && preVote.LastLogTerm < preVote.Term &&
        (preVote.LastLogIndex > 0 || preVote.LastLogTerm == 0);

    // Entries follow PrevLogIndex without gaps (§5.3), their terms never decrease along the log
    // and never exceed the leader's term (a leader only creates entries in its own term, §5.4.1).
    private static bool HoldForAppendEntries(AppendEntries append)
    {
        if (append.PrevLogIndex < 0 || append.PrevLogTerm < 0 || append.PrevLogTerm > append.Term) return false;
        if (append.PrevLogIndex == 0 && append.PrevLogTerm != 0) return false;
        if (append.LeaderCommit < 0) return false;
        var previousTerm = append.PrevLogTerm;
        for (var i = 0; i < append.Entries.Count; i++)
        {
            var entry = append.Entries[i];
            if (entry.Index != append.PrevLogIndex + 1 + i) return false;
            if (entry.Term < 1 || entry.Term < previousTerm || entry.Term > append.Term) return false;
            if (!Enum.IsDefined(entry.Kind)) return false;
            if (entry.Kind == EntryKind.NoOp && entry.Command.Length != 0) return false;
            previousTerm = entry.Term;
        }
        return true;
    }

    // A snapshot covers at least one entry, of a term the leader has lived through (§7).
    private static bool HoldForInstallSnapshot(InstallSnapshot chunk) =>
        chunk.Term >= 1 && chunk.LastIncludedIndex >= 1 && chunk.LastIncludedTerm >= 1 && chunk.LastIncludedTerm <= chunk.Term &&
        chunk.Offset >= 0;

    // The hint names the follower's own term at PrevLogIndex, which is at most its current term.
    private static bool HoldForAppendEntriesResponse(AppendEntriesResponse response) =>
        response.InReplyTo >= 0 && response.Index >= 0 &&
        response.HintIndex >= 0 && response.HintTerm >= 0 && response.HintTerm <= response.Term;
}
