using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>
/// The leader lease on votes (thesis §4.2.3) across a restart: a restarted server acts as if it had
/// heard from a leader as it started, so that a leader's read lease (§6.4.1) that still counts its
/// last acknowledgement stays safe.
/// </summary>
public sealed class RestartVoteLeaseTests
{
    private static RaftOptions Options(bool preVote = false) =>
        new() { ElectionTicks = 10, HeartbeatTicks = 2, CheckQuorum = true, LeaseReads = true, PreVote = preVote };

    private static IReadOnlyList<RequestVoteResponse> VotesFrom(Output output) => output.Sent<RequestVoteResponse>();

    [Test]
    public void A_restarted_follower_refuses_votes_so_that_no_leader_is_elected_while_the_old_leader_reads_on_its_lease()
    {
        var cluster = new TestCluster(3, Options());
        cluster.Elect(1);
        cluster.Propose(1, Put(1));
        cluster.DeliverAll();
        cluster.Cut(1, 3); // n3 no longer hears n1; n1's lease rests on n2's acknowledgement
        cluster.Crash(2);
        cluster.Restart(2);

        cluster.Campaign(3); // n3's own timer would fire: it has not heard from n1
        cluster.DeliverAll();
        cluster.Propose(3, Put(2));
        cluster.DeliverAll();

        Assert.That(cluster[3].Role, Is.Not.EqualTo(Role.Leader), "n2 acknowledged n1 just before it crashed");
        Assert.That(cluster[2].Term, Is.EqualTo(1), "the vote request was ignored, its term not adopted");
        var read = cluster.Step(1, new ReadIndex(1)).OfType<ReadReady>().Single();
        Assert.That(read.ReadIndex, Is.GreaterThanOrEqualTo(Enumerable.Range(1, 3).Max(id => cluster[id].CommitIndex)),
            "n1's lease read sees every committed write");
    }

    [Test]
    public void A_restarted_follower_refuses_pre_votes_for_an_election_timeout()
    {
        var cluster = new TestCluster(3, Options(preVote: true));
        cluster.Elect(1);
        cluster.Crash(2);
        cluster.Restart(2);

        var output = cluster.Deliver(new PreVote(N(3), N(2), 2, 77, cluster[3].Log.LastIndex, cluster[3].Log.LastTerm));

        Assert.That(output.SentOne<PreVoteResponse>().VoteGranted, Is.False);
    }

    [Test]
    public void A_restarted_follower_votes_again_once_an_election_timeout_has_passed()
    {
        var cluster = new TestCluster(3, Options());
        cluster.Elect(1);
        cluster.Crash(2);
        cluster.Restart(2);
        cluster.Tick(2, cluster.Options.ElectionTicks - 1);
        Assert.That(VotesFrom(cluster.Deliver(new RequestVote(N(3), N(2), 2, 77, cluster[3].Log.LastIndex, cluster[3].Log.LastTerm))), Is.Empty);

        cluster.Tick(2); // n2's own timeout is one tick longer: it has not campaigned yet

        var output = cluster.Deliver(new RequestVote(N(3), N(2), 2, 78, cluster[3].Log.LastIndex, cluster[3].Log.LastTerm));
        Assert.That(VotesFrom(output).Single().VoteGranted, Is.True);
    }

    [Test]
    public void A_restarted_follower_grants_a_leadership_transfer_vote_at_once()
    {
        var cluster = new TestCluster(3, Options());
        cluster.Elect(1);
        cluster.Crash(2);
        cluster.Restart(2);

        var output = cluster.Deliver(new RequestVote(N(3), N(2), 2, 77, cluster[3].Log.LastIndex, cluster[3].Log.LastTerm, LeadershipTransfer: true));

        Assert.That(VotesFrom(output).Single().VoteGranted, Is.True);
    }

    [Test]
    public void A_restarted_server_may_still_campaign_itself_and_win()
    {
        var cluster = new TestCluster(3, Options());
        cluster.Elect(1);
        cluster.Crash(1);
        cluster.Restart(1);
        cluster.Tick(2, cluster.Options.ElectionTicks); // n2 and n3 have not heard from a leader for an election timeout
        cluster.Tick(3, cluster.Options.ElectionTicks);

        cluster.Elect(1); // at once: n1's restart lease holds back its answers, not its own campaign

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));
    }

    [Test]
    public void A_cluster_whose_servers_all_restart_elects_a_leader()
    {
        var cluster = new TestCluster(3, Options(preVote: true));
        cluster.Elect(1);
        foreach (var id in new[] { 1, 2, 3 }) cluster.Crash(id);
        foreach (var id in new[] { 1, 2, 3 }) cluster.Restart(id);

        cluster.TickAll(2 * cluster.Options.ElectionTicks);

        Assert.That(Enumerable.Range(1, 3).Count(id => cluster[id].Role == Role.Leader), Is.EqualTo(1));
    }

    [Test]
    public void A_new_server_that_never_stored_a_term_votes_at_once()
    {
        var cluster = new TestCluster(3, Options());

        cluster.Elect(1);

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));
    }
}
