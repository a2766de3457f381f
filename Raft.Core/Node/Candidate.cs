using Raft.Core.Messages;

namespace Raft.Core.Node;

/// <summary>Candidate (Figure 2, §5.2): ask for votes; win with a majority; yield to a leader.</summary>
public sealed partial class RaftNode
{
    private readonly SortedSet<NodeId> votesGranted = [];

    /// <summary>Votes received in the current election (candidates only).</summary>
    public IReadOnlyCollection<NodeId> VotesGranted => votesGranted;

    /// <summary>
    /// §5.2: increment currentTerm, vote for self, reset the election timer, send RequestVote to all.
    /// With <paramref name="leadershipTransfer"/> the leader asked for this election (TimeoutNow,
    /// thesis §3.10): PreVote is skipped, and the requests say so, to pass the voters' leader lease.
    /// </summary>
    private void BecomeCandidate(bool leadershipTransfer = false)
    {
        Role = Role.Candidate;
        Leader = null;
        SetHardState(Term + 1, Id);
        ResetElectionTimer();
        votesGranted.Clear();
        votesGranted.Add(Id);
        if (HasQuorum(votesGranted.Contains))
        {
            BecomeLeader(); // a single-node cluster elects itself
            return;
        }
        foreach (var peer in OtherVoters)
            Send(new RequestVote(Id, peer, Term, NextMessageId(), log.LastIndex, log.LastTerm, leadershipTransfer));
    }

    private void StepCandidate(Message message)
    {
        switch (message)
        {
            case RequestVote request:
                HandleRequestVote(request); // refused: we voted for ourselves in this term
                break;
            case RequestVoteResponse response when response.VoteGranted:
                votesGranted.Add(response.From); // a set: a duplicated vote counts once
                if (HasQuorum(votesGranted.Contains)) BecomeLeader(); // only voters of our configuration count
                break;
            case AppendEntries append:
                // §5.2: another server won this term; recognise it and follow.
                BecomeFollower(Term, append.From);
                HandleAppendEntries(append);
                break;
            case InstallSnapshot chunk: // as above: a leader of our term is sending its snapshot
                BecomeFollower(Term, chunk.From);
                HandleInstallSnapshot(chunk);
                break;
        }
    }
}
