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
    /// Leader, once per election timeout: if fewer than a majority (this node included) sent us
    /// anything in the last period, step down. Returns whether it stepped down.
    /// </summary>
    private bool MaybeStepDownWithoutQuorum()
    {
        electionElapsedTicks++;
        if (electionElapsedTicks < options.ElectionTicks) return false;
        electionElapsedTicks = 0;
        var active = new SortedSet<NodeId>(progress.Where(p => p.Value.EndActivityPeriod()).Select(p => p.Key)); // every period starts afresh
        if (!options.CheckQuorum || HasQuorum(v => v == Id || active.Contains(v))) return false;
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
