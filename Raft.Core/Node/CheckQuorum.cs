using Raft.Core.Messages;

namespace Raft.Core.Node;

/// <summary>
/// CheckQuorum (thesis §6.2) and the leader lease on votes (thesis §4.2.3). A leader cut off from
/// a majority would otherwise stay leader for ever, refusing nothing and committing nothing; with
/// CheckQuorum it steps down after an election timeout without hearing from a majority. In return
/// followers that heard from a leader within the election timeout ignore vote requests, so that a
/// server that cannot hear the leader cannot depose it.
/// </summary>
public sealed partial class RaftNode
{
    /// <summary>
    /// Thesis §4.2.3 across a restart. The vote lease lives in memory: a server that crashes forgets
    /// when it last heard from the leader, while the leader's read lease (§6.4.1) may still count the
    /// acknowledgement it sent just before. So a server that restarts with CheckQuorum acts as if it
    /// had heard from a leader as it started, and refuses votes and pre-votes for one election
    /// timeout. A server that never stored a term has never acknowledged a leader, so a new cluster
    /// still elects at once. Its own campaigns are not held back: only its answers to others are.
    /// </summary>
    private int restartLeaseTicksLeft;

    /// <summary>On start-up: the vote lease of a restarted server (see <see cref="restartLeaseTicksLeft"/>).</summary>
    private void StartRestartLease(HardState persisted) =>
        restartLeaseTicksLeft = options.CheckQuorum && persisted.Term > 0 ? options.ElectionTicks : 0;

    /// <summary>Every tick, in every role: the restart lease runs out after an election timeout.</summary>
    private void TickRestartLease()
    {
        if (restartLeaseTicksLeft > 0) restartLeaseTicksLeft--;
    }

    /// <summary>
    /// Leader, once per election timeout: if fewer than a majority (this node included) sent us
    /// anything in the last period, step down. Returns whether it stepped down.
    /// </summary>
    private bool MaybeStepDownWithoutQuorum()
    {
        electionElapsedTicks++;
        if (electionElapsedTicks < options.ElectionTicks) return false;
        electionElapsedTicks = 0;
        var activeVoters = IsVoter ? 1 : 0; // the leader counts itself
        foreach (var peer in peers)
            if (progress[peer].EndActivityPeriod() && Configuration.IsVoter(peer)) activeVoters++; // every period starts afresh
        if (!options.CheckQuorum || (Configuration.Voters.Count > 0 && Quorum.IsMajority(activeVoters, Configuration.Voters.Count))) return false;
        BecomeFollower(Term, null);
        return true;
    }

    /// <summary>
    /// Thesis §4.2.3: with CheckQuorum, while a leader is known to be alive, a request to vote in
    /// a later term is ignored, unless the leader itself asked for the election (§3.10).
    /// </summary>
    private bool IsWithinLeaderLease(RequestVote request) =>
        options.CheckQuorum && !request.LeadershipTransfer && HeardFromLeaderRecently();
}
