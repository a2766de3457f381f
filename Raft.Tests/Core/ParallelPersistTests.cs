using Raft.Core;
using Raft.Core.Inputs;
using Raft.Core.Messages;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>
/// Thesis §10.2.1: with <see cref="RaftOptions.LeaderPersistsInParallel"/> a leader's AppendEntries
/// may leave before its own new entries are durable, so the leader counts its own log in the commit
/// majority only up to what the driver reports durable (<see cref="LogPersisted"/>).
/// </summary>
public sealed class ParallelPersistTests
{
    private static readonly RaftOptions Parallel = new() { ElectionTicks = 10, HeartbeatTicks = 2, LeaderPersistsInParallel = true };

    /// <summary>Elects n1 and lets it report its no-op durable, so that the no-op commits as without the option.</summary>
    private static TestCluster ElectedWithNoOpCommitted(int size)
    {
        var cluster = new TestCluster(size, Parallel);
        cluster.Campaign(1);
        cluster.DeliverAll();
        cluster.Step(1, new LogPersisted(1, cluster[1].Term));
        cluster.DeliverAll();
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));
        Assert.That(cluster[1].CommitIndex, Is.EqualTo(1));
        return cluster;
    }

    private static void DeliverAppendAndReply(TestCluster cluster, int follower)
    {
        cluster.Deliver(cluster.Take(m => m is AppendEntries && m.To == N(follower)).Single());
        cluster.Deliver(cluster.Take(m => m is AppendEntriesResponse && m.From == N(follower)).Single());
    }

    [Test]
    public void A_leader_does_not_count_its_own_entry_until_the_driver_reports_it_durable()
    {
        var cluster = ElectedWithNoOpCommitted(3);
        cluster.Propose(1, Put(1));
        DeliverAppendAndReply(cluster, 2);
        Assert.That(cluster[1].CommitIndex, Is.EqualTo(1), "n2 alone holds entry 2 durably: 1 of 3");
        Assert.That(cluster.Applied(1), Has.Count.EqualTo(1));

        cluster.Step(1, new LogPersisted(2, cluster[1].Term));

        Assert.That(cluster[1].CommitIndex, Is.EqualTo(2), "the leader's own durable copy makes 2 of 3");
        Assert.That(cluster.StateMachine(1).Values["k1"], Is.EqualTo("v1"));
    }

    [Test]
    public void Two_followers_commit_an_entry_the_leader_has_not_yet_made_durable()
    {
        var cluster = ElectedWithNoOpCommitted(3);
        cluster.Propose(1, Put(1));
        DeliverAppendAndReply(cluster, 2);
        DeliverAppendAndReply(cluster, 3);
        Assert.That(cluster[1].CommitIndex, Is.EqualTo(2), "n2 and n3: 2 of 3, without the leader's disk");
    }

    [Test]
    public void A_single_voter_commits_only_once_its_entry_is_reported_durable()
    {
        var cluster = new TestCluster(1, Parallel);
        cluster.Campaign(1);
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));
        Assert.That(cluster[1].CommitIndex, Is.Zero, "its no-op is not durable yet");
        cluster.Propose(1, Put(1));
        cluster.Step(1, new LogPersisted(1, cluster[1].Term));
        Assert.That(cluster[1].CommitIndex, Is.EqualTo(1), "the report covers the no-op only");
        cluster.Step(1, new LogPersisted(2, cluster[1].Term));
        Assert.That(cluster[1].CommitIndex, Is.EqualTo(2));
    }

    [Test]
    public void A_report_about_an_entry_the_log_does_not_hold_is_ignored()
    {
        var cluster = ElectedWithNoOpCommitted(3);
        cluster.Propose(1, Put(1));
        DeliverAppendAndReply(cluster, 2);
        var term = cluster[1].Term;

        cluster.Step(1, new LogPersisted(2, term + 1)); // another term at index 2: not this entry
        cluster.Step(1, new LogPersisted(3, term)); // beyond the log
        Assert.That(cluster[1].CommitIndex, Is.EqualTo(1));

        cluster.Step(1, new LogPersisted(2, term));
        Assert.That(cluster[1].CommitIndex, Is.EqualTo(2));
    }

    [Test]
    public void A_late_report_about_an_earlier_write_does_not_take_back_a_later_one()
    {
        // Two writes, of entries 2 and 3, reported durable out of order (or the first reported
        // twice): the disk holds both, so the leader counts itself up to 3 all the same.
        var cluster = ElectedWithNoOpCommitted(3);
        cluster.Propose(1, Put(1));
        cluster.Propose(1, Put(2));
        var term = cluster[1].Term;
        cluster.Step(1, new LogPersisted(3, term));
        cluster.Step(1, new LogPersisted(2, term));

        cluster.Isolate(3);
        cluster.DeliverAll(); // n2 takes and acknowledges entries 2 and 3
        Assert.That(cluster[1].ProgressOf(N(2))!.Match, Is.EqualTo(3));
        Assert.That(cluster[1].CommitIndex, Is.EqualTo(3), "n2 and the leader's own durable copy: 2 of 3");
    }

    [Test]
    public void Entries_replaced_by_a_new_leader_are_no_longer_counted_as_durable()
    {
        // n1 leads term 1 and makes entries 2-4 durable on its own disk only; n2 then leads term 2
        // with a no-op at 2, which replaces n1's entries 2-4. Leading again in term 3, n1 must not
        // count its no-op at 3 as durable on the strength of the old report up to 4.
        var cluster = ElectedWithNoOpCommitted(3);
        for (var i = 1; i <= 3; i++) cluster.Propose(1, Put(i));
        cluster.Step(1, new LogPersisted(4, cluster[1].Term));
        cluster.DropAll();

        cluster.Campaign(2);
        cluster.Deliver(cluster.Take(m => m is RequestVote && m.To == N(3)).Single());
        cluster.Deliver(cluster.Take(m => m is RequestVoteResponse && m.From == N(3)).Single());
        Assert.That(cluster[2].Role, Is.EqualTo(Role.Leader));
        cluster.DeliverAllExcept(m => m is not AppendEntries); // n1 and n3 take n2's no-op; n1 truncates 2-4
        cluster.DropAll();
        Assert.That((cluster[1].Log.LastIndex, cluster[1].Log.LastTerm), Is.EqualTo((2L, cluster[2].Term)));

        cluster.Campaign(1);
        cluster.Deliver(cluster.Take(m => m is RequestVote && m.To == N(3)).Single());
        cluster.Deliver(cluster.Take(m => m is RequestVoteResponse && m.From == N(3)).Single());
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));
        cluster.Isolate(2);
        cluster.DeliverAll(); // n3 takes and acknowledges n1's no-op at 3
        Assert.That(cluster[1].ProgressOf(N(3))!.Match, Is.EqualTo(3));
        Assert.That(cluster[1].CommitIndex, Is.LessThan(3), "n3 alone holds the no-op durably: the report up to 4 was about replaced entries");

        cluster.Step(1, new LogPersisted(3, cluster[1].Term));
        Assert.That(cluster[1].CommitIndex, Is.EqualTo(3));
    }

    [Test]
    public void Without_the_option_the_leader_counts_its_whole_log_at_once()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        cluster.Propose(1, Put(1));
        DeliverAppendAndReply(cluster, 2);
        Assert.That(cluster[1].CommitIndex, Is.EqualTo(2), "the effect contract made the leader's write durable before its AppendEntries left");
    }
}
