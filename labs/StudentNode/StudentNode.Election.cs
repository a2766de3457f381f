using Raft.Core;
using Raft.Core.Messages;

namespace StudentNode;

/// <summary>
/// Lab 1, leader election (labs/lab1-election.md): §5.2, §5.4.1 and Figure 2's RequestVote RPC,
/// "Rules for Servers" (Followers, Candidates) and "State" (currentTerm, votedFor).
/// </summary>
public sealed partial class StudentNode
{
    /// <summary>The servers that granted this candidate their vote in the current term (itself included).</summary>
    private readonly SortedSet<NodeId> votesGranted = [];

    /// <summary>
    /// Followers and candidates (Figure 2): one tick of the election timer. When the timeout
    /// elapses without hearing from a current leader or granting a vote, start an election.
    /// </summary>
    private void TickElectionTimer()
    {
        electionElapsedTicks++;
        if (electionElapsedTicks >= electionTimeoutTicks) StartElection();
    }

    /// <summary>
    /// The election timeout fired (or a Campaign input arrived): become a candidate (§5.2).
    /// Figure 2, "Candidates": increment currentTerm, vote for self, reset the election timer,
    /// send RequestVote to every other server.
    /// </summary>
    private void StartElection()
    {
        // TODO(lab 1) §5.2: become a candidate of a new term. Change the term and the vote only
        // through SetHardState (Persistence.cs), so that they are stored before your RequestVotes
        // leave. Each RequestVote describes your log's last entry (§5.4.1), for the voters' check.
        // Think about a cluster of one: who else is there to vote?
        ResetElectionTimer(); // the untouched skeleton just waits another timeout
    }

    /// <summary>
    /// RequestVote receiver (Figure 2), once <see cref="ReceiveMessage"/> has dealt with the term.
    /// Reply with <see cref="RequestVoteResponse"/> (InReplyTo = request.Id), granting the vote only
    /// if the rules of Figure 2 and §5.4.1 allow it.
    /// </summary>
    private void HandleRequestVote(RequestVote request)
    {
        // TODO(lab 1) Figure 2, RequestVote RPC, "Receiver implementation" (§5.2, §5.4.1):
        //  - when may this server grant its vote, and to whom? (one vote per term; a repeated
        //    request from the same candidate, duplicated by the network, deserves the same answer)
        //  - is the candidate's log at least as up to date as ours? (§5.4.1; RaftLog has a helper)
        //  - a granted vote is persistent state: record it before the reply leaves (thesis §3.8)
        //  - granting a vote also defers this server's own election (Figure 2, "Followers")
    }

    /// <summary>
    /// A voter's answer. A candidate that collects votes from a majority of the cluster, in its
    /// current term, becomes leader (§5.2). Duplicated answers must not count twice.
    /// </summary>
    private void HandleRequestVoteResponse(RequestVoteResponse response)
    {
        // TODO(lab 1) §5.2: count the vote if it is for this candidate's current election
        // (which role are you in? which term is the answer about?), and call BecomeLeader on a majority.
    }

    /// <summary>
    /// Steps down to follower (§5.1, §5.2): on seeing a higher term, or, as a candidate, on
    /// hearing from the leader of its own term. <paramref name="leader"/> is that leader if known.
    /// </summary>
    private void BecomeFollower(long term, NodeId? leader)
    {
        // TODO(lab 1) §5.1: adopt the term if it is newer (a new term means no vote cast in it yet),
        // become a follower, remember the leader hint. Think about the election timer: should
        // merely learning of a higher term reset it? (Figure 2, "Followers", says what does.)
        // TODO(lab 5) thesis §6.4: a leader that steps down can no longer confirm its pending reads:
        // refuse them all (ReadRefusal.LeadershipLost), so that their clients try the new leader.
    }

    /// <summary>
    /// Won the election (§5.2): become leader and at once assert leadership with AppendEntries
    /// (heartbeats) to every other server, so that nobody else starts an election.
    /// </summary>
    private void BecomeLeader()
    {
        // TODO(lab 1) §5.2: become leader, and send the first heartbeats right away (SendAppendEntries).
        // TODO(lab 2) Figure 2, "Volatile state on leaders": (re)initialise nextIndex and matchIndex
        // for every peer, and whatever per-peer state you added (lab 2; snapshotTransfers in lab 4).
        // §5.4.2 and §8: a new leader also appends a no-op entry of its own term, so that entries
        // of earlier terms can commit (see lab2-replication.md).
    }
}
