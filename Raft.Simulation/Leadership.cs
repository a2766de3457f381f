using Raft.Core;
using Raft.Core.Node;

namespace Raft.Simulation;

/// <summary>What "the leader" means to a harness that acts on it (schedules, scenarios, the grader's checks).</summary>
public static class Leadership
{
    /// <summary>
    /// The leader, if there is one: among <paramref name="candidates"/> (nodes that may lead: up,
    /// not paused), one in role Leader that a majority of the voters of its configuration follow.
    /// A voter follows it when <paramref name="reachable"/>(leader, voter) gives the voter (running,
    /// and linked to the leader both ways; null otherwise) and the voter is a follower in the
    /// leader's term; the leader counts itself. Nothing a node says about whom it follows is
    /// believed (a student's node may not keep <see cref="IRaftNode.Leader"/> up to date): only
    /// roles, terms and links. Not merely the leader of the highest term anyone has heard of: a
    /// cut-off node that campaigned raises its own term without leading anyone, and must not hide
    /// the real leader. When two qualify, the higher term wins.
    /// </summary>
    public static NodeId? FollowedLeader(IReadOnlyList<IRaftNode> candidates, Func<NodeId, NodeId, IRaftNode?> reachable)
    {
        NodeId? best = null;
        var bestTerm = -1L;
        for (var c = 0; c < candidates.Count; c++)
        {
            var core = candidates[c];
            if (core.Role != Role.Leader || core.Term <= bestTerm) continue;
            var voters = core.Configuration.Voters;
            var following = 0;
            for (var i = 0; i < voters.Count; i++) // an index, not foreach: the simulator asks after every event once faults stop
            {
                var voter = voters[i];
                if (voter == core.Id) following++;
                else if (reachable(core.Id, voter) is { } other && other.Term == core.Term && other.Role == Role.Follower) following++;
            }
            if (!Quorum.IsMajority(following, voters.Count)) continue;
            best = core.Id;
            bestTerm = core.Term;
        }
        return best;
    }
}
