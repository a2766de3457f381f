using Raft.Core;
using Raft.Core.Inputs;
using Raft.Core.Membership;
using Raft.Core.Node;

namespace Raft.Net.Discovery;

/// <summary>
/// The leader's rule for turning what discovery sees into membership changes, one at a time and
/// always through the log (thesis §4.1: single-server changes), never behind Raft's back:
/// <list type="number">
/// <item>A live server that is not a member is added as a voter. The core makes it a joining learner
/// first and promotes it once it has caught up (§4.2.1), so a new, empty server never stalls commitment.</item>
/// <item>A silent learner is removed: learners count towards no majority, so this is always safe.</item>
/// <item>A silent voter is removed only while the voters heard from (the leader included) are a
/// majority of the voters, and only while at least <c>minVoters</c> voters remain. When a majority is
/// silent nothing can commit anyway, and removing voters on the word of one side of a partition
/// would shrink the cluster to that side: the leader waits for them to come back instead. The floor
/// (3 by default) keeps removal from buying nothing: 2 voters survive no failure, as 3 with one
/// down do not either, and a smaller cluster keeps each acknowledged write on fewer disks.</item>
/// </list>
/// Adding comes before removing: a returning or new server adds a copy before a silent one is given up.
/// </summary>
public static class DiscoveredMembership
{
    /// <summary>The fewest voters a removal may leave, unless configured otherwise.</summary>
    public const int DefaultMinVoters = 3;

    /// <summary>
    /// The change the leader <paramref name="leader"/> should ask for now, or null. Call only on a
    /// leader whose configuration is committed (the core refuses a second change in flight anyway).
    /// </summary>
    /// <param name="leader">This server, the leader.</param>
    /// <param name="configuration">The configuration in force, committed.</param>
    /// <param name="live">The servers heard from within the silence timeout; the leader is among them.</param>
    /// <param name="minVoters">The fewest voters a removal may leave.</param>
    public static ChangeMembership? NextChange(NodeId leader, Configuration configuration, IReadOnlySet<NodeId> live, int minVoters)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(live);
        foreach (var server in live.Order())
            if (server != leader && !configuration.IsMember(server)) return new ChangeMembership(MembershipChangeKind.AddVoter, server);
        foreach (var learner in configuration.Learners)
            if (!live.Contains(learner)) return new ChangeMembership(MembershipChangeKind.Remove, learner);
        var voters = configuration.Voters;
        var heard = voters.Count(v => v == leader || live.Contains(v));
        if (!Quorum.IsMajority(heard, voters.Count) || voters.Count - 1 < minVoters) return null;
        foreach (var voter in voters)
            if (voter != leader && !live.Contains(voter)) return new ChangeMembership(MembershipChangeKind.Remove, voter);
        return null;
    }
}
