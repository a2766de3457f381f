using Raft.Core;
using Raft.Core.Log;
using Raft.Core.Messages;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>Figure 2's commit rules and "Rules for All Servers": commit by majority, apply in order, once.</summary>
public sealed class CommitTests
{
    private static void DeliverAppendAndReply(TestCluster cluster, int follower)
    {
        cluster.Deliver(cluster.Take(m => m is AppendEntries && m.To == N(follower)).Single());
        cluster.Deliver(cluster.Take(m => m is AppendEntriesResponse && m.From == N(follower)).Single());
    }

    [Test]
    public void A_leader_commits_a_proposal_once_a_majority_stores_it()
    {
        var cluster = new TestCluster(5);
        cluster.Elect(1);
        Assert.That(cluster[1].CommitIndex, Is.EqualTo(1));
        cluster.Propose(1, Put(1));

        DeliverAppendAndReply(cluster, 2);
        Assert.That(cluster[1].CommitIndex, Is.EqualTo(1), "leader and n2: 2 of 5");
        Assert.That(cluster.Applied(1), Has.Count.EqualTo(1), "not applied before it commits");

        DeliverAppendAndReply(cluster, 3);
        Assert.That(cluster[1].CommitIndex, Is.EqualTo(2), "leader, n2, n3: 3 of 5");
        Assert.That(cluster.StateMachine(1).Values["k1"], Is.EqualTo("v1"));
    }

    [Test]
    public void A_follower_learns_the_commit_index_from_the_next_AppendEntries()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        cluster.Propose(1, Put(1));
        cluster.DeliverAll();
        Assert.That(cluster[1].CommitIndex, Is.EqualTo(2));
        Assert.That(cluster[2].CommitIndex, Is.EqualTo(1), "the entry's own message carried leaderCommit 1");

        cluster.Tick(1, cluster.Options.HeartbeatTicks);
        cluster.DeliverAll();

        Assert.That(cluster[2].CommitIndex, Is.EqualTo(2));
        Assert.That(cluster.StateMachine(2).Values["k1"], Is.EqualTo("v1"));
    }

    [Test]
    public void A_follower_never_commits_beyond_the_last_entry_the_message_proved()
    {
        // n2 holds [1, 1, 1] from an old leader; the term-2 leader has committed 3 entries of its
        // own. A heartbeat proves only index 1 matches, so n2's entries 2 and 3 may be stale.
        var cluster = new TestCluster(3);
        cluster.PresetLog(2, 1, 1, 1, 1);
        var heartbeat = new AppendEntries(N(1), N(2), 2, 77, PrevLogIndex: 1, PrevLogTerm: 1, Entries: [], LeaderCommit: 3);

        cluster.Deliver(heartbeat);
        Assert.That(cluster[2].CommitIndex, Is.EqualTo(1));
        Assert.That(cluster.Applied(2).Select(e => e.Index), Is.EqualTo(new long[] { 1 }));

        var entry2 = new LogEntry(2, 2, EntryKind.Command, Put(2).Encode());
        cluster.Deliver(heartbeat with { Id = 78, Entries = [entry2] });
        Assert.That(cluster[2].CommitIndex, Is.EqualTo(2), "min(leaderCommit, index of last new entry)");
        Assert.That(cluster.Applied(2)[^1], Is.EqualTo(entry2));
    }

    [Test]
    public void The_commit_index_never_decreases_when_an_old_AppendEntries_arrives()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        var firstAppend = cluster.EffectLog[N(1)].OfType<Raft.Core.Effects.Send>()
            .Select(s => s.Message).OfType<AppendEntries>().First(a => a.To == N(2));
        Assert.That(firstAppend.LeaderCommit, Is.Zero);
        cluster.Propose(1, Put(1));
        cluster.Propose(1, Put(2));
        cluster.DeliverAll();
        cluster.Tick(1, cluster.Options.HeartbeatTicks);
        cluster.DeliverAll();
        Assert.That(cluster[2].CommitIndex, Is.EqualTo(3));

        cluster.Deliver(firstAppend);

        Assert.That(cluster[2].CommitIndex, Is.EqualTo(3));
        Assert.That(cluster[2].LastApplied, Is.EqualTo(3));
    }

    [Test]
    public void Committed_entries_are_applied_once_and_in_order_on_every_node()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        for (var i = 1; i <= 5; i++) cluster.Propose(1, Put(i));
        cluster.DeliverAll();
        // The network duplicates every AppendEntries the leader ever sent.
        foreach (var message in cluster.EffectLog[N(1)].OfType<Raft.Core.Effects.Send>().Select(s => s.Message).ToList())
            cluster.Deliver(message);
        cluster.DeliverAll();
        cluster.Tick(1, cluster.Options.HeartbeatTicks);
        cluster.DeliverAll();

        foreach (var id in new[] { 1, 2, 3 })
        {
            Assert.That(cluster.Applied(id).Select(e => e.Index), Is.EqualTo(Enumerable.Range(1, 6).Select(i => (long)i)), $"n{id}");
            Assert.That(cluster.Applied(id), Is.EqualTo(cluster.Applied(1)), $"n{id} applied the same entries");
            Assert.That(cluster.StateMachine(id).CommandsExecuted, Is.EqualTo(5));
            Assert.That(cluster.StateMachine(id).Values, Is.EquivalentTo(cluster.StateMachine(1).Values));
        }
    }

    [Test]
    public void A_follower_does_not_apply_an_entry_the_leader_has_not_committed()
    {
        var cluster = new TestCluster(3);
        var appliedOnN2 = AppliedOnFollowerAfterUncommittedAppend(cluster);
        Assert.That(appliedOnN2, Is.EqualTo(new long[] { 1 }));
    }

    [Test]
    public void A_follower_applies_an_uncommitted_entry_under_ApplyBeforeCommit()
    {
        // Teeth for the test above.
        var cluster = new TestCluster(3, new RaftOptions { Bug = TeachingBug.ApplyBeforeCommit });
        var appliedOnN2 = AppliedOnFollowerAfterUncommittedAppend(cluster);
        Assert.That(appliedOnN2, Is.EqualTo(new long[] { 1, 2 }));
    }

    private static long[] AppliedOnFollowerAfterUncommittedAppend(TestCluster cluster)
    {
        cluster.Elect(1);
        cluster.Tick(1, cluster.Options.HeartbeatTicks);
        cluster.DeliverAll(); // everyone has committed and applied the no-op
        cluster.Propose(1, Put(1));
        cluster.Deliver(cluster.Take(m => m is AppendEntries && m.To == N(2)).Single());
        Assert.That(cluster[2].Log.LastIndex, Is.EqualTo(2), "n2 stores index 2, but no majority has acknowledged it yet");
        return cluster.Applied(2).Select(e => e.Index).ToArray();
    }
}
