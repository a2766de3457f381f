using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Messages;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>CheckQuorum (thesis §6.2) and the leader lease on votes (thesis §4.2.3).</summary>
public sealed class CheckQuorumTests
{
    private static RaftOptions With(bool checkQuorum, bool preVote = false) =>
        new() { ElectionTicks = 10, HeartbeatTicks = 2, CheckQuorum = checkQuorum, PreVote = preVote };

    [Test]
    public void A_leader_with_check_quorum_steps_down_when_no_majority_answers_for_an_election_timeout()
    {
        var cluster = new TestCluster(3, With(checkQuorum: true));
        cluster.Elect(1);
        cluster.Isolate(1);

        cluster.Tick(1, 2 * cluster.Options.ElectionTicks);

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Follower));
        Assert.That(cluster[1].Term, Is.EqualTo(1), "stepping down does not change the term");
        Assert.That(cluster[1].Leader, Is.Null);
    }

    [Test]
    public void A_leader_without_check_quorum_stays_leader_when_cut_off()
    {
        var cluster = new TestCluster(3, With(checkQuorum: false));
        cluster.Elect(1);
        cluster.Isolate(1);

        cluster.Tick(1, 5 * cluster.Options.ElectionTicks);

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));
    }

    [Test]
    public void A_leader_with_check_quorum_stays_leader_while_a_majority_answers()
    {
        var cluster = new TestCluster(3, With(checkQuorum: true, preVote: true));
        cluster.Elect(1);
        cluster.Isolate(3);

        cluster.TickAll(5 * cluster.Options.ElectionTicks);

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));
        Assert.That(cluster[1].Term, Is.EqualTo(1));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void A_follower_that_heard_from_a_leader_recently_ignores_a_vote_request_only_with_check_quorum(bool checkQuorum)
    {
        var cluster = new TestCluster(3, With(checkQuorum));
        cluster.Elect(1);

        var output = cluster.Deliver(new RequestVote(N(3), N(2), 2, 77, cluster[3].Log.LastIndex, cluster[3].Log.LastTerm));

        var votes = output.OfType<Send>().Select(s => s.Message).OfType<RequestVoteResponse>().ToList();
        if (checkQuorum)
        {
            Assert.That(cluster[2].Term, Is.EqualTo(1), "the lease: the term is not adopted");
            Assert.That(cluster[2].Leader, Is.EqualTo(N(1)));
            Assert.That(votes, Is.Empty);
        }
        else
        {
            Assert.That(cluster[2].Term, Is.EqualTo(2));
            Assert.That(votes.Single().VoteGranted, Is.True);
        }
    }

    [Test]
    public void A_leader_with_check_quorum_ignores_a_vote_request_for_a_later_term()
    {
        var cluster = new TestCluster(3, With(checkQuorum: true));
        cluster.Elect(1);

        cluster.Deliver(new RequestVote(N(3), N(1), 5, 77, cluster[3].Log.LastIndex, cluster[3].Log.LastTerm));

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));
        Assert.That(cluster[1].Term, Is.EqualTo(1));
    }

    [Test]
    public void A_follower_with_check_quorum_grants_a_leadership_transfer_vote_despite_the_lease()
    {
        var cluster = new TestCluster(3, With(checkQuorum: true));
        cluster.Elect(1);

        var output = cluster.Deliver(new RequestVote(N(3), N(2), 2, 77, cluster[3].Log.LastIndex, cluster[3].Log.LastTerm, LeadershipTransfer: true));

        Assert.That(cluster[2].Term, Is.EqualTo(2));
        Assert.That(output.OfType<Send>().Select(s => s.Message).OfType<RequestVoteResponse>().Single().VoteGranted, Is.True);
    }

    [Test]
    public void A_follower_with_check_quorum_votes_again_once_the_leader_was_silent_for_an_election_timeout()
    {
        var cluster = new TestCluster(3, With(checkQuorum: true));
        cluster.Elect(1);
        cluster.Tick(2, cluster.Options.ElectionTicks); // n2's own timeout is one tick longer

        var output = cluster.Deliver(new RequestVote(N(3), N(2), 2, 77, cluster[3].Log.LastIndex, cluster[3].Log.LastTerm));

        Assert.That(cluster[2].Term, Is.EqualTo(2));
        Assert.That(output.OfType<Send>().Select(s => s.Message).OfType<RequestVoteResponse>().Single().VoteGranted, Is.True);
    }

    [Test]
    public void A_new_leader_is_elected_after_a_check_quorum_leader_is_cut_off()
    {
        var cluster = new TestCluster(3, With(checkQuorum: true, preVote: true));
        cluster.Elect(1);
        cluster.Isolate(1);

        cluster.TickAll(5 * cluster.Options.ElectionTicks);

        Assert.That(cluster[1].Role, Is.Not.EqualTo(Role.Leader));
        Assert.That(new[] { cluster[2], cluster[3] }.Count(n => n.Role == Role.Leader), Is.EqualTo(1));
    }
}
