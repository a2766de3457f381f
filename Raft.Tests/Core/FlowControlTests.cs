using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Messages;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>Explicit limits on what a leader puts on the wire (TIGER_STYLE: bound everything that grows).</summary>
public sealed class FlowControlTests
{
    private static IEnumerable<AppendEntries> AppendsSentBy(TestCluster cluster, int leader) =>
        cluster.EffectLog[N(leader)].OfType<Send>().Select(s => s.Message).OfType<AppendEntries>();

    [Test]
    public void A_leader_keeps_at_most_MaxInflightAppends_appends_with_entries_unacknowledged_per_follower()
    {
        var cluster = new TestCluster(3, new RaftOptions { MaxInflightAppends = 2, MaxEntriesPerAppend = 1 });
        cluster.Elect(1); // n2 matched: the leader streams to it
        Assert.That(cluster.InFlight, Is.Empty);
        // An append is in flight from when it is sent until the leader receives its answer; all
        // sent so far have been answered.
        var answered = AppendsSentBy(cluster, 1).Select(a => a.Id).ToHashSet();

        for (var i = 1; i <= 10; i++) cluster.Propose(1, Put(i));

        int Outstanding() => AppendsSentBy(cluster, 1).Count(a => a.To == N(2) && a.Entries.Count > 0 && !answered.Contains(a.Id));
        Assert.That(Outstanding(), Is.EqualTo(2), "it pipelines up to the bound, and stops there");
        var maxSeen = 0;
        while (cluster.InFlight.Count > 0)
        {
            if (cluster.DeliverNext() is AppendEntriesResponse { To.Value: 1 } reply && reply.From == N(2)) answered.Add(reply.InReplyTo);
            maxSeen = Math.Max(maxSeen, Outstanding());
        }

        Assert.That(maxSeen, Is.EqualTo(2));
        Assert.That(cluster[2].Log.LastIndex, Is.EqualTo(11), "and still delivers everything");
    }

    [Test]
    public void A_leader_sends_one_append_at_a_time_to_a_follower_it_is_probing()
    {
        var cluster = new TestCluster(3);
        cluster.Isolate(2);
        cluster.Elect(1); // the first probe to n2 is lost
        cluster.HealAll();

        for (var i = 1; i <= 3; i++) cluster.Propose(1, Put(i));
        Assert.That(cluster.InFlight.Count(m => m.To == N(2)), Is.Zero, "a probe is outstanding: wait for its answer or the next heartbeat");

        cluster.Tick(1, cluster.Options.HeartbeatTicks);
        Assert.That(cluster.InFlight.Count(m => m.To == N(2)), Is.EqualTo(1));
        cluster.DeliverAll();
        Assert.That(cluster[2].Log.LastIndex, Is.EqualTo(4));
    }

    [Test]
    public void No_AppendEntries_carries_more_than_MaxEntriesPerAppend_entries()
    {
        var cluster = new TestCluster(3, new RaftOptions { MaxEntriesPerAppend = 3 });
        cluster.Isolate(2);
        cluster.Elect(1);
        for (var i = 1; i <= 10; i++) cluster.Propose(1, Put(i));
        cluster.DeliverAll();
        cluster.HealAll();

        cluster.TickAll(10);

        Assert.That(cluster[2].Log.LastIndex, Is.EqualTo(11), "n2 caught up over several messages");
        var sizes = AppendsSentBy(cluster, 1).Select(a => a.Entries.Count).ToList();
        Assert.That(sizes, Has.All.LessThanOrEqualTo(3));
        Assert.That(sizes, Has.Some.EqualTo(3), "batches fill up to the bound");
    }

    [Test]
    public void An_AppendEntries_stays_within_MaxBytesPerAppend_but_carries_at_least_one_entry()
    {
        var commandBytes = Put(1).Encode().Length;
        var cluster = new TestCluster(3, new RaftOptions { MaxBytesPerAppend = 2 * commandBytes });
        cluster.Isolate(2);
        cluster.Elect(1);
        for (var i = 1; i <= 9; i++) cluster.Propose(1, Put(i)); // all commands of one length
        cluster.DeliverAll();
        cluster.HealAll();

        cluster.TickAll(10);

        Assert.That(cluster[2].Log.LastIndex, Is.EqualTo(10));
        var batches = AppendsSentBy(cluster, 1).Where(a => a.Entries.Count > 0).ToList();
        Assert.That(batches.Select(a => a.Entries.Sum(e => e.Command.Length)), Has.All.LessThanOrEqualTo(2 * commandBytes));
        Assert.That(batches.Select(a => a.Entries.Count), Has.Some.EqualTo(2));

        var tiny = new TestCluster(3, new RaftOptions { MaxBytesPerAppend = 1 });
        tiny.Elect(1);
        tiny.Propose(1, Put(1));
        tiny.DeliverAll();
        Assert.That(tiny[2].Log.LastIndex, Is.EqualTo(2), "an entry larger than the bound still goes, alone");
    }
}
