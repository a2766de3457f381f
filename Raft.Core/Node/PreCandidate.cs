using Raft.Core.Messages;

namespace Raft.Core.Node;

/// <summary>
/// PreCandidate (thesis §9.6, PreVote): before starting a real election, ask the others whether
/// they would vote. A node that was cut off keeps failing this round, so it never raises its term
/// and cannot force a stable leader out when it comes back. Only the pre-vote round is new; once
/// a majority says yes, the node becomes an ordinary candidate (Candidate.cs).
/// </summary>
public sealed partial class RaftNode
{
    private readonly SortedSet<NodeId> preVotesGranted = [];

    /// <summary>Pre-votes received in the current pre-vote round (pre-candidates only).</summary>
    public IReadOnlyCollection<NodeId> PreVotesGranted => preVotesGranted;

    /// <summary>
    /// Asks every peer for a pre-vote for term + 1. Unlike <see cref="BecomeCandidate"/> this
    /// changes neither currentTerm nor votedFor: nothing is persisted. The timer restarts so that
    /// a failed round is retried after another election timeout.
    /// </summary>
    private void BecomePreCandidate()
    {
        Role = Role.PreCandidate;
        Leader = null;
        ResetElectionTimer();
        preVotesGranted.Clear();
        preVotesGranted.Add(Id);
        if (HasQuorum(preVotesGranted.Contains))
        {
            BecomeCandidate(); // a single-node cluster needs nobody's permission
            return;
        }
        foreach (var peer in OtherVoters)
            Send(new PreVote(Id, peer, Term + 1, NextMessageId(), log.LastIndex, log.LastTerm));
    }

    private void StepPreCandidate(Message message)
    {
        switch (message)
        {
            case RequestVote request:
                HandleRequestVote(request); // we have not voted in this term: an ordinary voter
                break;
            case PreVoteResponse response when response.VoteGranted && response.Term == Term + 1:
                preVotesGranted.Add(response.From); // a set: a duplicated pre-vote counts once
                if (HasQuorum(preVotesGranted.Contains)) BecomeCandidate();
                break;
            case AppendEntries append:
                // A leader of our term is alive: stop asking and follow it.
                BecomeFollower(Term, append.From);
                HandleAppendEntries(append);
                break;
            case InstallSnapshot chunk: // as above: a leader of our term is sending its snapshot
                BecomeFollower(Term, chunk.From);
                HandleInstallSnapshot(chunk);
                break;
            case TimeoutNow when IsVoter:
                BecomeCandidate(leadershipTransfer: true); // thesis §3.10
                break;
        }
    }

    /// <summary>
    /// PreVote receiver (thesis §9.6), in any role. Grant when the asker could win a real election
    /// for that term: its term would be ahead of ours, its log is at least as up to date as ours
    /// (§5.4.1), and we have not heard from a leader within the election timeout (so we would not
    /// disturb a working leader). Granting changes nothing here: not the term, not the vote, not
    /// the timer.
    /// </summary>
    private void HandlePreVote(PreVote request)
    {
        var grant = request.Term > Term
            && !HeardFromLeaderRecently()
            && log.IsUpToDate(request.LastLogIndex, request.LastLogTerm);
        // A grant answers in the term asked about, so the pre-candidate can tell it is current; a
        // refusal carries our term, which makes a pre-candidate that is behind catch up (§5.1).
        Send(new PreVoteResponse(Id, request.From, grant ? request.Term : Term, NextMessageId(), request.Id, grant));
    }

    /// <summary>
    /// True when a leader is known to be alive: this node leads, or it heard from the leader of its
    /// term within the (minimum) election timeout, or it restarted less than an election timeout ago
    /// with CheckQuorum (it may have acknowledged a leader just before, see CheckQuorum.cs).
    /// </summary>
    private bool HeardFromLeaderRecently() =>
        Role == Role.Leader || (Leader is not null && electionElapsedTicks < options.ElectionTicks) || restartLeaseTicksLeft > 0;

    /// <summary>
    /// A granted pre-vote response carries a term above ours that nobody has started yet, and a
    /// pre-vote request asks about one: neither makes this node adopt that term (thesis §9.6).
    /// TeachingBug.PreVoteAdoptsTerm treats a pre-vote request like any other message.
    /// </summary>
    private bool IsPreVoteTraffic(Message message) => message switch
    {
        PreVote => options.Bug != TeachingBug.PreVoteAdoptsTerm,
        PreVoteResponse response => response.VoteGranted,
        _ => false,
    };
}
