using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Messages;
using Raft.Tests.Support;

namespace Raft.Tests.Core;

public sealed class ElectionTests
{
    [Test]
    public void A_new_node_starts_as_a_follower_in_term_zero()
    {
        var cluster = new TestCluster(3);
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Follower));
        Assert.That(cluster[1].Term, Is.Zero);
        Assert.That(cluster[1].Leader, Is.Null);
    }

    [Test]
    public void A_follower_starts_an_election_when_its_timeout_elapses()
    {
        var cluster = new TestCluster(3);
        cluster.Tick(1, cluster.Options.ElectionTicks - 1);
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Follower), "not before the timeout");

        var output = cluster.Tick(1);

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Candidate));
        Assert.That(cluster[1].Term, Is.EqualTo(1));
        Assert.That(cluster[1].VotedFor, Is.EqualTo(TestCluster.N(1)), "a candidate votes for itself");
        var requests = output.OfType<Send>().Select(s => s.Message).OfType<RequestVote>().ToList();
        Assert.That(requests.Select(r => r.To), Is.EquivalentTo(new[] { TestCluster.N(2), TestCluster.N(3) }));
        Assert.That(requests, Has.All.Property(nameof(RequestVote.Term)).EqualTo(1));
    }

    [Test]
    public void A_candidate_with_votes_from_a_majority_becomes_leader_and_sends_heartbeats_at_once()
    {
        var cluster = new TestCluster(3);
        cluster.Campaign(1);
        cluster.DeliverNext(); // RequestVote to n2
        cluster.DeliverNext(); // RequestVote to n3
        var grant = cluster.InFlight[0];
        Assert.That(grant, Is.TypeOf<RequestVoteResponse>());

        var output = cluster.Deliver(grant);

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));
        var appends = output.OfType<Send>().Select(s => s.Message).OfType<AppendEntries>().ToList();
        Assert.That(appends.Select(a => a.To), Is.EquivalentTo(new[] { TestCluster.N(2), TestCluster.N(3) }));
    }
}
