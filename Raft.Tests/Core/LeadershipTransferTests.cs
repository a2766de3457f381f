using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>Leadership transfer (thesis §3.10): catch the target up, TimeoutNow, abort after an election timeout.</summary>
public sealed class LeadershipTransferTests
{
    private static RaftOptions With(bool preVote = false, bool checkQuorum = false) =>
        new() { ElectionTicks = 10, HeartbeatTicks = 2, PreVote = preVote, CheckQuorum = checkQuorum };

    private static Output Transfer(TestCluster cluster, int from, int to) => cluster.Step(from, new TransferLeadership(N(to)));

    [TestCase(false, false)]
    [TestCase(true, true)]
    public void Leadership_transfer_hands_leadership_to_an_up_to_date_target(bool preVote, bool checkQuorum)
    {
        var cluster = new TestCluster(3, With(preVote, checkQuorum));
        cluster.Elect(1);

        var output = Transfer(cluster, 1, 3);
        Assert.That(output.OfType<Send>().Select(s => s.Message).OfType<TimeoutNow>().Single().To, Is.EqualTo(N(3)),
            "the target is up to date: TimeoutNow at once");
        cluster.DeliverAll();

        Assert.That(cluster[3].Role, Is.EqualTo(Role.Leader));
        Assert.That(cluster[3].Term, Is.EqualTo(2));
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Follower));
        Assert.That(cluster[1].Leader, Is.EqualTo(N(3)));
    }

    [Test]
    public void The_leader_brings_a_lagging_target_up_to_date_before_sending_TimeoutNow()
    {
        var cluster = new TestCluster(3, With());
        cluster.Elect(1);
        cluster.Isolate(3);
        for (var n = 1; n <= 3; n++) cluster.Propose(1, Put(n));
        cluster.DeliverAll();
        cluster.HealAll();

        var output = Transfer(cluster, 1, 3);
        Assert.That(output.OfType<Send>().Select(s => s.Message).OfType<TimeoutNow>(), Is.Empty, "n3 misses entries");
        Assert.That(output.OfType<Send>().Select(s => s.Message).OfType<AppendEntries>().Single().To, Is.EqualTo(N(3)));
        cluster.DeliverAll();

        Assert.That(cluster[3].Role, Is.EqualTo(Role.Leader));
        Assert.That(cluster.Terms(3).Take(4), Is.EqualTo(cluster.Terms(1).Take(4)), "n3 won with the whole log");
    }

    [Test]
    public void A_transfer_target_campaigns_at_once_skipping_prevote_and_says_it_is_a_transfer()
    {
        var cluster = new TestCluster(3, With(preVote: true, checkQuorum: true));
        cluster.Elect(1);

        var output = cluster.Deliver(new TimeoutNow(N(1), N(3), 1, 77));

        Assert.That(cluster[3].Role, Is.EqualTo(Role.Candidate));
        Assert.That(cluster[3].Term, Is.EqualTo(2));
        var requests = output.OfType<Send>().Select(s => s.Message).OfType<RequestVote>().ToList();
        Assert.That(requests, Has.Count.EqualTo(2));
        Assert.That(requests, Has.All.Property(nameof(RequestVote.LeadershipTransfer)).True);
        Assert.That(output.OfType<Send>().Select(s => s.Message).OfType<PreVote>(), Is.Empty);
    }

    [Test]
    public void A_leader_refuses_proposals_during_a_transfer()
    {
        var cluster = new TestCluster(3, With());
        cluster.Elect(1);
        cluster.Isolate(3);
        Transfer(cluster, 1, 3);

        var outcome = cluster.Propose(1, Put(1)).Proposal!;

        Assert.That(outcome.Accepted, Is.False);
        Assert.That(outcome.Refusal, Is.EqualTo(ProposeRefusal.LeadershipTransferInProgress));
        Assert.That(outcome.LeaderHint, Is.EqualTo(N(1)));
        Assert.That(cluster[1].TransferTarget, Is.EqualTo(N(3)));
    }

    [Test]
    public void A_transfer_aborts_after_an_election_timeout_and_proposals_are_accepted_again()
    {
        var cluster = new TestCluster(3, With());
        cluster.Elect(1);
        cluster.Isolate(3);
        Transfer(cluster, 1, 3);

        cluster.Tick(1, cluster.Options.ElectionTicks - 1);
        Assert.That(cluster.Propose(1, Put(1)).Proposal!.Accepted, Is.False, "not yet");
        cluster.Tick(1);

        Assert.That(cluster[1].TransferTarget, Is.Null);
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));
        Assert.That(cluster.Propose(1, Put(2)).Proposal!.Accepted, Is.True);
    }

    [Test]
    public void A_proposal_to_a_follower_is_refused_as_not_leader()
    {
        var cluster = new TestCluster(3, With());
        cluster.Elect(1);

        var outcome = cluster.Propose(2, Put(1)).Proposal!;

        Assert.That(outcome.Refusal, Is.EqualTo(ProposeRefusal.NotLeader));
        Assert.That(outcome.LeaderHint, Is.EqualTo(N(1)));
    }

    [TestCase(1, Description = "itself")]
    [TestCase(9, Description = "not a member")]
    public void A_transfer_to_the_leader_itself_or_to_a_non_member_is_ignored(int target)
    {
        var cluster = new TestCluster(3, With());
        cluster.Elect(1);

        var output = Transfer(cluster, 1, target);

        Assert.That(output.Effects, Is.Empty);
        Assert.That(cluster[1].TransferTarget, Is.Null);
        Assert.That(cluster.Propose(1, Put(1)).Proposal!.Accepted, Is.True);
    }

    [Test]
    public void A_follower_ignores_a_transfer_request()
    {
        var cluster = new TestCluster(3, With());
        cluster.Elect(1);

        var output = Transfer(cluster, 2, 3);

        Assert.That(output.Effects, Is.Empty);
        Assert.That(cluster[2].Role, Is.EqualTo(Role.Follower));
    }
}
