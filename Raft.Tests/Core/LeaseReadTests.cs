using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>Lease reads (thesis §6.4.1).</summary>
public sealed class LeaseReadTests
{
    private static RaftOptions Options(bool lease = true) =>
        new() { ElectionTicks = 10, HeartbeatTicks = 2, CheckQuorum = true, LeaseReads = lease };

    private static Output Read(TestCluster cluster, int id, long requestId) => cluster.Step(id, new ReadIndex(requestId));

    [Test]
    public void Lease_reads_are_refused_as_an_option_without_check_quorum()
    {
        Assert.Throws<ArgumentException>(() => new RaftOptions { LeaseReads = true }.Validate());
    }

    [TestCase(2)]
    [TestCase(5)]
    [TestCase(9)]
    public void Lease_reads_are_refused_as_an_option_when_the_election_timeout_leaves_no_margin_for_clock_drift(int electionTicks)
    {
        var options = new RaftOptions { ElectionTicks = electionTicks, HeartbeatTicks = 1, CheckQuorum = true, LeaseReads = true };

        Assert.That(options.LeaseDriftMarginTicks, Is.LessThan(1));
        Assert.Throws<ArgumentException>(() => options.Validate());
    }

    [TestCase(10, 8)]
    [TestCase(30, 24)]
    public void The_lease_ends_a_fifth_of_an_election_timeout_early(int electionTicks, int leaseTicks)
    {
        var options = new RaftOptions { ElectionTicks = electionTicks, CheckQuorum = true, LeaseReads = true }.Validate();

        Assert.That(options.LeaseTicks, Is.EqualTo(leaseTicks));
        Assert.That(options.LeaseDriftMarginTicks, Is.EqualTo(electionTicks - 1 - leaseTicks));
    }

    [Test]
    public void A_leader_holding_a_lease_answers_a_read_at_once_without_a_round()
    {
        var cluster = new TestCluster(3, Options());
        cluster.Elect(1);

        var output = Read(cluster, 1, 1);

        Assert.That(cluster[1].HoldsReadLease, Is.True);
        Assert.That(output.OfType<ReadReady>().Single(), Is.EqualTo(new ReadReady(1, cluster[1].CommitIndex)));
        Assert.That(output.OfType<Send>(), Is.Empty);
    }

    [Test]
    public void Without_the_option_a_leader_confirms_every_read_with_a_round()
    {
        var cluster = new TestCluster(3, Options(lease: false));
        cluster.Elect(1);

        var output = Read(cluster, 1, 1);

        Assert.That(output.OfType<ReadReady>(), Is.Empty);
        Assert.That(output.Sent<AppendEntries>(), Has.Count.EqualTo(2));
    }

    [Test]
    public void The_lease_runs_out_when_no_majority_acknowledged_anything_sent_within_the_lease()
    {
        var cluster = new TestCluster(3, Options());
        cluster.Elect(1);
        cluster.Isolate(1);

        cluster.Tick(1, 7);
        Assert.That(cluster[1].HoldsReadLease, Is.True, "acknowledged at tick 0: 7 ticks ago, lease 8");
        cluster.Tick(1);
        Assert.That(cluster[1].HoldsReadLease, Is.False);

        var output = Read(cluster, 1, 1);
        Assert.That(output.OfType<ReadReady>(), Is.Empty, "falls back to a confirmation round");
        Assert.That(cluster[1].PendingReadCount, Is.EqualTo(1));
    }

    [Test]
    public void The_lease_starts_when_the_acknowledged_message_was_sent_not_when_the_answer_arrived()
    {
        var cluster = new TestCluster(3, Options());
        cluster.Elect(1);
        cluster.Tick(1, cluster.Options.HeartbeatTicks);
        var sentAtTick2 = cluster.Take(_ => true);
        cluster.Tick(1, 7); // later heartbeats are lost
        cluster.DropAll();
        foreach (var heartbeat in sentAtTick2) cluster.Deliver(heartbeat);
        cluster.DeliverAll(); // the answers arrive at tick 9

        Assert.That(cluster[1].HoldsReadLease, Is.True, "sent 7 ticks ago");
        cluster.Tick(1);
        cluster.DropAll();
        Assert.That(cluster[1].HoldsReadLease, Is.False, "sent 8 ticks ago");
    }

    [Test]
    public void A_leadership_transfer_forfeits_the_lease_for_the_rest_of_the_term()
    {
        var cluster = new TestCluster(3, Options());
        cluster.Elect(1);
        cluster.Isolate(3);
        cluster.Step(1, new TransferLeadership(N(3)));
        cluster.Tick(1, cluster.Options.ElectionTicks); // the transfer aborts
        cluster.DeliverAll();
        Assert.That(cluster[1].TransferTarget, Is.Null);

        Assert.That(cluster[1].HoldsReadLease, Is.False);
        Assert.That(Read(cluster, 1, 1).OfType<ReadReady>(), Is.Empty);
    }
}
