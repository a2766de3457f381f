using Raft.Core.Log;
using Raft.Core.Messages;

namespace Raft.Core.Node;

/// <summary>Follower (Figure 2): answer RPCs; start an election if the leader goes quiet.</summary>
public sealed partial class RaftNode
{
    private void BecomeFollower(long term, NodeId? leader)
    {
        var wasLeader = Role == Role.Leader;
        if (term > Term) SetHardState(term, null);
        Role = Role.Follower;
        Leader = leader;
        // Figure 2 (Followers): only AppendEntries from the current leader or granting a vote defers
        // an election, and both reset the timer where they happen. Merely learning of a higher term
        // must not: a candidate whose log can never win would otherwise hold everyone back for ever.
        // A leader ran no election timer, so it starts a fresh one.
        if (wasLeader) ResetElectionTimer();
    }

    /// <summary>
    /// Followers and candidates: if the election timeout elapses, start an election (§5.2). A
    /// learner, or a server not (or no longer) in its configuration, never starts one (thesis §4),
    /// unless its removal is still uncommitted (see <see cref="MayCampaign"/>).
    /// </summary>
    private void TickElection()
    {
        electionElapsedTicks++;
        if (!MayCampaign) return;
        if (electionElapsedTicks >= electionTimeoutTicks) StartElection();
    }

    /// <summary>An election timeout fired (or a Campaign input): with PreVote, ask first (thesis §9.6).</summary>
    private void StartElection()
    {
        if (options.PreVote) BecomePreCandidate();
        else BecomeCandidate();
    }

    private void StepFollower(Message message)
    {
        switch (message)
        {
            case RequestVote request: HandleRequestVote(request); break;
            case AppendEntries append: HandleAppendEntries(append); break;
            case InstallSnapshot chunk: HandleInstallSnapshot(chunk); break; // §7
            case TimeoutNow when IsVoter: BecomeCandidate(leadershipTransfer: true); break; // thesis §3.10
            // Responses reach a follower only from a role it held earlier in this term: ignore them.
        }
    }

    /// <summary>
    /// RequestVote receiver (Figure 2), in the current term. Every role answers this way; a
    /// candidate or leader has voted for itself, so it refuses.
    /// </summary>
    private void HandleRequestVote(RequestVote request)
    {
        var canVote = VotedFor is null || VotedFor == request.From; // §5.2: one vote per term, first come first served
        // §5.4.1 election restriction. TeachingBug.VoteWithoutLogCheck skips it.
        var upToDate = options.Bug == TeachingBug.VoteWithoutLogCheck || log.IsUpToDate(request.LastLogIndex, request.LastLogTerm);
        var grant = canVote && upToDate;
        if (grant)
        {
            if (VotedFor != request.From) SetHardState(Term, request.From);
            ResetElectionTimer(); // Figure 2: granting a vote defers our own election
        }
        Send(new RequestVoteResponse(Id, request.From, Term, NextMessageId(), request.Id, grant));
    }

    /// <summary>AppendEntries receiver (Figure 2), from the leader of the current term.</summary>
    private void HandleAppendEntries(AppendEntries append)
    {
        if (ContradictsCommitted(append.Entries))
        {
            IgnoreImplausible(); // no correct leader sends this (UntrustedPeers.cs)
            return;
        }
        Leader = append.From;
        electionElapsedTicks = 0; // the leader is alive

        // §5.3 consistency check. TeachingBug.SkipPrevLogTermCheck only checks that the index exists.
        var prevOk = options.Bug == TeachingBug.SkipPrevLogTermCheck
            ? append.PrevLogIndex <= log.LastIndex
            : log.Matches(append.PrevLogIndex, append.PrevLogTerm);
        if (!prevOk)
        {
            RejectAppend(append);
            return;
        }

        AppendNewEntries(append.Entries);

        // Commit up to what the leader has committed, but never beyond what this message proved
        // matches the leader's log: later entries here may be stale leftovers.
        var newCommit = Math.Min(append.LeaderCommit, append.LastIndex);
        // TeachingBug.ApplyBeforeCommit: treat everything appended as committed.
        if (options.Bug == TeachingBug.ApplyBeforeCommit) newCommit = log.LastIndex;
        if (newCommit > CommitIndex) CommitIndex = newCommit;

        Send(new AppendEntriesResponse(Id, append.From, Term, NextMessageId(), append.Id,
            Success: true, Index: append.LastIndex, HintIndex: 0, HintTerm: 0));
    }

    /// <summary>
    /// §5.3: if an existing entry conflicts with a new one (same index, different term), delete it
    /// and all that follow; append entries not already in the log. Entries already present are
    /// kept, so a duplicated or reordered old AppendEntries never shortens the log.
    /// </summary>
    private void AppendNewEntries(IReadOnlyList<LogEntry> entries)
    {
        long? firstWritten = null;
        for (var i = 0; i < entries.Count; i++) // an index, not foreach: no enumerator on the hot path
        {
            var entry = entries[i];
            if (entry.Index <= log.SnapshotIndex) continue; // compacted, hence committed and matching (§7)
            if (entry.Index <= log.LastIndex)
            {
                if (log.TermAt(entry.Index) == entry.Term) continue;
                ForgetPersistedFrom(entry.Index);
                log.TruncateFrom(entry.Index);
            }
            log.Append(entry);
            firstWritten ??= entry.Index;
        }
        if (firstWritten is not { } first) return;
        PersistTailFrom(first);
        RefreshConfiguration(); // a configuration appended, or one truncated away, is in force at once (§4.1)
    }

    /// <summary>Rejects with a hint that lets the leader skip a whole conflicting term (§5.3).</summary>
    private void RejectAppend(AppendEntries append)
    {
        long hintIndex, hintTerm;
        if (append.PrevLogIndex > log.LastIndex)
        {
            hintIndex = log.LastIndex + 1;
            hintTerm = 0;
        }
        else
        {
            hintTerm = log.TermAt(append.PrevLogIndex);
            hintIndex = log.FirstIndexOfTermAt(append.PrevLogIndex);
        }
        Send(new AppendEntriesResponse(Id, append.From, Term, NextMessageId(), append.Id,
            Success: false, Index: append.PrevLogIndex, HintIndex: hintIndex, HintTerm: hintTerm));
    }
}
