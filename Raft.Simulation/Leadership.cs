using Raft.Core;
using Raft.Core.Node;

namespace Raft.Simulation;

/// <summary>What "the leader" means to a harness that acts on it (schedules, scenarios, the grader's checks).</summary>
public static class Leadership
{
    /// <summary>
    /// The leader, if there is one: among <paramref name="candidates"/> (nodes that may lead: up,
    /// not paused), one in role Leader that a majority of the voters of its configuration follow:
    /// each such voter is still running (<paramref name="follower"/> gives it, or null when it is
    /// down), is in the leader's term and knows it as its leader; the leader counts itself. Not
    /// merely the leader of the highest term anyone has heard of: a cut-off node that campaigned
    /// raises its own term without leading anyone, and must not hide the real leader. When two
    /// qualify (an old leader not yet deposed), the higher term wins.
    /// </summary>
    public static NodeId? FollowedLeader(IEnumerable<IRaftNode> candidates, Func<NodeId, IRaftNode?> follower)
    {
        NodeId? best = null;
        var bestTerm = -1L;
        foreach (var core in candidates)
        {
            if (core.Role != Role.Leader || core.Term <= bestTerm) continue;
            var voters = core.Configuration.Voters;
            var following = 0;
            foreach (var voter in voters)
            {
                if (voter == core.Id) following++;
                else if (follower(voter) is { } other && other.Term == core.Term && other.Leader == core.Id) following++;
            }
            if (!Quorum.IsMajority(following, voters.Count)) continue;
            best = core.Id;
            bestTerm = core.Term;
        }
        return best;
    }
}
