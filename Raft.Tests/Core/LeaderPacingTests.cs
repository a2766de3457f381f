using Raft.Core;
using Raft.Core.Inputs;
using Raft.Core.Membership;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>
/// When the leader sends what: the byte bound of a batch, the probe of each heartbeat period, and
/// the moments a caught-up learner is promoted (§4.2.1). These rules survived a mutation run of the
/// core (docs/mutation-score.md): no unit test looked at them.
/// </summary>
public sealed class LeaderPacingTests
{
    [Test]
    public void A_batch_takes_entries_up_to_exactly_MaxBytesPerAppend_and_no_more()
    {
        var length = Put(1).Encode().Length;
        Assert.That(Enumerable.Range(2, 3).Select(n => Put(n).Encode().Length), Is.All.EqualTo(length), "the premise: equal sizes");
        var cluster = new TestCluster(3, new RaftOptions
        {
            ElectionTicks = 10, HeartbeatTicks = 2, MaxInflightAppends = 1, MaxBytesPerAppend = 2 * length,
        });
        cluster.Elect(1); // the no-op at index 1
        cluster.Propose(1, Put(1)); // index 2, sent at once
        for (var n = 2; n <= 4; n++) cluster.Propose(1, Put(n)); // indices 3-5, held back: index 2 is in flight
        cluster.Deliver(cluster.Take(m => m is AppendEntries { To.Value: 2 }).Single());
        var acknowledgement = cluster.Take(m => m is AppendEntriesResponse { From.Value: 2 }).Single();

        var batch = cluster.Deliver(acknowledgement).SentOne<AppendEntries>();

        Assert.That(batch.To, Is.EqualTo(N(2)));
        Assert.That(batch.Entries.Select(e => e.Index), Is.EqualTo(new long[] { 3, 4 }), "two entries fill the bound exactly; a third would pass it");
    }

    [Test]
    public void A_heartbeat_carries_the_probe_again_when_the_last_one_went_unanswered()
    {
        var cluster = new TestCluster(3);
        cluster.Campaign(1);
        cluster.DeliverAllExcept(m => m is AppendEntries); // n1 wins; its AppendEntries with the no-op are lost
        Assert.That((cluster[1].Role, cluster[1].ProgressOf(N(2))!.State), Is.EqualTo((Role.Leader, ReplicationState.Probe)), "the premise");

        var heartbeats = Enumerable.Range(0, cluster.Options.HeartbeatTicks).SelectMany(_ => cluster.Tick(1).Sent<AppendEntries>()).ToList();

        var toN2 = heartbeats.Single(m => m.To == N(2));
        Assert.That((toN2.PrevLogIndex, toN2.Entries.Count), Is.EqualTo((0L, 1)),
            "one probe per heartbeat period: the no-op is sent again, not an empty heartbeat");
    }

    [Test]
    public void A_learner_is_promoted_as_soon_as_its_acknowledgement_shows_it_has_caught_up()
    {
        var cluster = new TestCluster(3, spares: 1);
        cluster.Elect(1);

        cluster.Step(1, new ChangeMembership(MembershipChangeKind.AddVoter, N(4))); // joins as a learner first
        cluster.DeliverAll(); // no tick: no heartbeat

        Assert.That(cluster[1].Configuration.IsVoter(N(4)), Is.True, "promoted when its acknowledgement arrived (§4.2.1)");
        Assert.That(cluster[1].Configuration.Joining, Is.Empty);
    }

    [Test]
    public void A_learner_held_back_by_a_leadership_transfer_is_promoted_at_the_heartbeat_after_the_transfer_gives_up()
    {
        var cluster = new TestCluster(3, spares: 1);
        cluster.Elect(1);
        cluster.Step(1, new ChangeMembership(MembershipChangeKind.AddVoter, N(4)));
        cluster.Step(1, new TransferLeadership(N(2)));
        cluster.DeliverAllExcept(m => m is TimeoutNow); // n4 catches up, but the transfer blocks changes; it never completes
        Assert.That(cluster[1].Configuration.IsJoining(N(4)), Is.True, "the premise: not promoted during the transfer");
        Assert.That(cluster[1].TransferTarget, Is.EqualTo(N(2)), "the premise");

        cluster.Tick(1, cluster.Options.ElectionTicks); // §3.10: the transfer is abandoned after an election timeout

        Assert.That(cluster[1].TransferTarget, Is.Null);
        Assert.That(cluster[1].Configuration.IsVoter(N(4)), Is.True, "promoted by the leader's tick; no message was delivered");
    }
}
