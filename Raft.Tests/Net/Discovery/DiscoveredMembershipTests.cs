using Raft.Core;
using Raft.Core.Membership;
using Raft.Net.Discovery;

namespace Raft.Tests.Net.Discovery;

/// <summary>The leader's rule for turning what discovery sees into single-server membership changes.</summary>
public sealed class DiscoveredMembershipTests
{
    private static readonly NodeId N1 = new(1), N2 = new(2), N3 = new(3), N4 = new(4), N5 = new(5);

    private static string? Next(Configuration configuration, params NodeId[] live) =>
        DiscoveredMembership.NextChange(N1, configuration, new SortedSet<NodeId>(live.Append(N1)), DiscoveredMembership.DefaultMinVoters)?.ToString();

    [Test]
    public void A_live_server_outside_the_configuration_is_added_as_a_voter()
    {
        Assert.That(Next(new Configuration([N1]), N2), Is.EqualTo("add voter n2"));
    }

    [Test]
    public void Nothing_changes_when_every_live_server_is_a_member_and_every_member_is_live()
    {
        Assert.That(Next(new Configuration([N1, N2, N3]), N2, N3), Is.Null);
    }

    [Test]
    public void A_joining_learner_is_left_to_the_core_to_promote()
    {
        Assert.That(Next(new Configuration([N1], [N2], [N2]), N2), Is.Null);
    }

    [Test]
    public void A_silent_learner_is_removed_whatever_the_number_of_voters()
    {
        Assert.That(Next(new Configuration([N1], [N2], [N2])), Is.EqualTo("remove n2"));
    }

    [Test]
    public void A_silent_voter_is_removed_when_a_majority_is_heard_and_enough_voters_remain()
    {
        Assert.That(Next(new Configuration([N1, N2, N3, N4]), N2, N3), Is.EqualTo("remove n4"));
    }

    [Test]
    public void Three_voters_are_not_shrunk_to_two_for_one_silent_voter()
    {
        Assert.That(Next(new Configuration([N1, N2, N3]), N2), Is.Null);
    }

    [Test]
    public void No_voter_is_removed_while_a_majority_of_voters_is_silent()
    {
        Assert.That(Next(new Configuration([N1, N2, N3, N4, N5]), N2), Is.Null);
    }

    [Test]
    public void A_newcomer_is_added_before_a_silent_voter_is_removed()
    {
        Assert.That(Next(new Configuration([N1, N2, N3, N4]), N2, N3, N5), Is.EqualTo("add voter n5"));
    }

    [Test]
    public void The_leader_never_removes_itself_even_if_it_does_not_count_itself_live()
    {
        var change = DiscoveredMembership.NextChange(N1, new Configuration([N1, N2, N3, N4, N5]), new SortedSet<NodeId> { N2, N3, N4, N5 }, 3);

        Assert.That(change, Is.Null);
    }

    [Test]
    public void A_lower_floor_lets_three_voters_shrink_to_two()
    {
        var change = DiscoveredMembership.NextChange(N1, new Configuration([N1, N2, N3]), new SortedSet<NodeId> { N1, N2 }, minVoters: 2);

        Assert.That(change?.ToString(), Is.EqualTo("remove n3"));
    }
}
