using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>Linearizable reads with ReadIndex (thesis §6.4).</summary>
public sealed class ReadIndexTests
{
    private static RaftOptions Options(TeachingBug bug = TeachingBug.None) =>
        new() { ElectionTicks = 10, HeartbeatTicks = 2, Bug = bug };

    private static Output Read(TestCluster cluster, int id, long requestId) => cluster.Step(id, new ReadIndex(requestId));

    private static IReadOnlyList<ReadReady> Ready(TestCluster cluster, int id) =>
        cluster.EffectLog[N(id)].OfType<ReadReady>().ToList();

    [Test]
    public void A_leader_answers_a_read_only_after_a_majority_acknowledges_a_round_sent_after_it_arrived()
    {
        var cluster = new TestCluster(3, Options());
        cluster.Elect(1);

        var output = Read(cluster, 1, 7);

        Assert.That(output.OfType<ReadReady>(), Is.Empty, "not before confirmation");
        Assert.That(output.Sent<AppendEntries>().Select(m => m.To), Is.EquivalentTo(new[] { N(2), N(3) }));
        cluster.DeliverNext(); // AppendEntries to n2
        cluster.DeliverNext(); // AppendEntries to n3
        Assert.That(Ready(cluster, 1), Is.Empty);
        cluster.DeliverNext(); // n2's response: n1 and n2 are a majority
        Assert.That(Ready(cluster, 1), Is.EqualTo(new[] { new ReadReady(7, cluster[1].CommitIndex) }));
    }

    [Test]
    public void A_follower_receiving_a_snapshot_confirms_a_read_with_its_answer_to_a_chunk()
    {
        var cluster = ClusterWithASnapshotOnItsWayToN3(new RaftOptions { ElectionTicks = 10, HeartbeatTicks = 2, MaxSnapshotChunkBytes = 16 });

        var output = Read(cluster, 1, 7);
        Assert.That(output.Sent<InstallSnapshot>().Single().To, Is.EqualTo(N(3)), "the round resends the current chunk");
        cluster.Take(m => m.To == N(2)); // n2 is down
        cluster.DeliverNext(); // the chunk
        cluster.DeliverNext(); // n3's answer, in n1's term, to a message sent after the read arrived

        Assert.That(Ready(cluster, 1), Is.EqualTo(new[] { new ReadReady(7, cluster[1].CommitIndex) }));
    }

    [Test]
    public void A_follower_receiving_a_snapshot_renews_the_leaders_read_lease()
    {
        var options = new RaftOptions { ElectionTicks = 10, HeartbeatTicks = 2, MaxSnapshotChunkBytes = 16, CheckQuorum = true, LeaseReads = true };
        var cluster = ClusterWithASnapshotOnItsWayToN3(options);
        cluster.Tick(1, options.LeaseTicks);
        cluster.DropAll();
        Assert.That(cluster[1].HoldsReadLease, Is.False);

        Read(cluster, 1, 7);
        cluster.Take(m => m.To == N(2));
        cluster.DeliverNext();
        cluster.DeliverNext();

        Assert.That(cluster[1].HoldsReadLease, Is.True);
    }

    /// <summary>n1 leads, n2 is down, and n3 is being sent n1's snapshot chunk by chunk; nothing is in flight.</summary>
    private static TestCluster ClusterWithASnapshotOnItsWayToN3(RaftOptions options)
    {
        var cluster = new TestCluster(3, options);
        cluster.Elect(1);
        cluster.Isolate(3);
        for (var i = 1; i <= 20; i++) cluster.Propose(1, Put(i));
        cluster.DeliverAll();
        cluster.Compact(1);
        cluster.Crash(2); // n1 and n3 are the only majority left
        cluster.HealAll();
        cluster.Tick(1, cluster.Options.HeartbeatTicks); // n3 rejects the heartbeat; n1 starts sending the snapshot
        for (var i = 0; i < 10 && cluster[1].ProgressOf(N(3))!.State != ReplicationState.Snapshot; i++) cluster.DeliverNext();
        Assert.That(cluster[1].ProgressOf(N(3))!.State, Is.EqualTo(ReplicationState.Snapshot));
        cluster.DropAll();
        return cluster;
    }

    [Test]
    public void The_read_index_is_the_commit_index_when_the_read_arrived()
    {
        var cluster = new TestCluster(3, Options());
        cluster.Elect(1);
        cluster.Propose(1, Put(1));
        cluster.DeliverAll();
        var commitAtRead = cluster[1].CommitIndex;

        Read(cluster, 1, 1);
        cluster.Propose(1, Put(2)); // commits in the same round trip
        cluster.DeliverAll();

        Assert.That(cluster[1].CommitIndex, Is.GreaterThan(commitAtRead));
        Assert.That(Ready(cluster, 1).Single().ReadIndex, Is.EqualTo(commitAtRead));
    }

    [Test]
    public void A_read_writes_nothing_to_the_log()
    {
        var cluster = new TestCluster(3, Options());
        cluster.Elect(1);
        var lastIndex = cluster[1].Log.LastIndex;

        var output = Read(cluster, 1, 1);
        cluster.DeliverAll();

        Assert.That(output.OfType<PersistEntries>(), Is.Empty);
        Assert.That(cluster.Members.Select(m => cluster[m.Value].Log.LastIndex), Is.All.EqualTo(lastIndex));
        Assert.That(Ready(cluster, 1), Has.Count.EqualTo(1));
    }

    [Test]
    public void A_follower_refuses_a_read_and_names_the_leader()
    {
        var cluster = new TestCluster(3, Options());
        cluster.Elect(1);

        var output = Read(cluster, 2, 5);

        Assert.That(output.OfType<ReadRefused>().Single(), Is.EqualTo(new ReadRefused(5, ReadRefusal.NotLeader, N(1))));
        Assert.That(output.OfType<Send>(), Is.Empty);
    }

    [Test]
    public void A_new_leader_refuses_reads_until_an_entry_of_its_own_term_commits()
    {
        var cluster = new TestCluster(3, Options());
        cluster.Campaign(1);
        cluster.DeliverAllExcept(m => m is AppendEntriesResponse); // elected, no-op not yet committed
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));

        var output = Read(cluster, 1, 3);

        Assert.That(output.OfType<ReadRefused>().Single().Reason, Is.EqualTo(ReadRefusal.LeaderNotReady));
        Assert.That(output.OfType<ReadReady>(), Is.Empty);
    }

    [Test]
    public void Responses_to_messages_sent_before_the_read_arrived_do_not_confirm_it()
    {
        var cluster = new TestCluster(3, Options());
        cluster.Elect(1);
        cluster.Tick(1, cluster.Options.HeartbeatTicks); // heartbeats sent before the read
        var readArrivesAt = cluster.InFlight.Count;

        Read(cluster, 1, 9);
        var round = cluster.InFlight.Skip(readArrivesAt).ToList();
        cluster.Take(round.Contains);
        cluster.DeliverAll(); // only the older heartbeats and their responses

        Assert.That(Ready(cluster, 1), Is.Empty);
        cluster.Deliver(round[0]);
        cluster.DeliverAll();
        Assert.That(Ready(cluster, 1).Single().RequestId, Is.EqualTo(9));
    }

    [Test]
    public void A_leader_that_steps_down_refuses_the_reads_it_was_confirming()
    {
        var cluster = new TestCluster(3, Options());
        cluster.Elect(1);
        Read(cluster, 1, 4);
        cluster.DropAll();

        var output = cluster.Deliver(new AppendEntries(N(2), N(1), 5, 99, 0, 0, [], 0));

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Follower));
        Assert.That(output.OfType<ReadRefused>().Single(), Is.EqualTo(new ReadRefused(4, ReadRefusal.LeadershipLost, N(2))));
        Assert.That(cluster[1].PendingReadCount, Is.Zero);
    }

    [Test]
    public void A_deposed_leader_cut_off_from_the_majority_never_answers_a_read()
    {
        var cluster = new TestCluster(3, Options());
        cluster.Elect(1);
        cluster.Isolate(1);
        cluster.Elect(2);
        cluster.Propose(2, Put(1));
        cluster.DeliverAll();
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader), "n1 has not noticed");

        Read(cluster, 1, 1);
        cluster.TickAll(3 * cluster.Options.HeartbeatTicks);

        Assert.That(Ready(cluster, 1), Is.Empty);
    }

    [Test]
    public void With_ReadWithoutQuorumCheck_a_deposed_leader_answers_a_stale_read_at_once()
    {
        var cluster = new TestCluster(3, Options(TeachingBug.ReadWithoutQuorumCheck));
        cluster.Elect(1);
        cluster.Isolate(1);
        cluster.Elect(2);
        cluster.Propose(2, Put(1));
        cluster.DeliverAll();

        var output = Read(cluster, 1, 1);

        var ready = output.OfType<ReadReady>().Single();
        Assert.That(ready.ReadIndex, Is.LessThan(cluster[2].CommitIndex), "stale: misses the new leader's write");
    }

    [Test]
    public void A_single_node_cluster_answers_a_read_at_once()
    {
        var cluster = new TestCluster(1, Options());
        cluster.Elect(1);

        var output = Read(cluster, 1, 2);

        Assert.That(output.OfType<ReadReady>().Single(), Is.EqualTo(new ReadReady(2, cluster[1].CommitIndex)));
    }

    [Test]
    public void Several_reads_waiting_for_the_same_confirmation_are_answered_in_order()
    {
        var cluster = new TestCluster(3, Options());
        cluster.Elect(1);

        Read(cluster, 1, 1);
        Read(cluster, 1, 2);
        Assert.That(cluster[1].PendingReadCount, Is.EqualTo(2));
        cluster.DeliverAll();

        Assert.That(Ready(cluster, 1).Select(r => r.RequestId), Is.EqualTo(new long[] { 1, 2 }));
        Assert.That(cluster[1].PendingReadCount, Is.Zero);
    }
}
