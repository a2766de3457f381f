using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Log;
using Raft.Core.Messages;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>§5.3 log replication: the AppendEntries consistency check and conflict handling.</summary>
public sealed class ReplicationTests
{
    private static LogEntry Entry(long index, long term) => new(index, term, EntryKind.Command, PresetCommand(index, term).Encode());

    private static AppendEntries Append(long term, long prevIndex, long prevTerm, LogEntry[] entries, long leaderCommit = 0) =>
        new(N(1), N(2), term, 77, prevIndex, prevTerm, entries, leaderCommit);

    [Test]
    public void A_new_leader_appends_a_noop_of_its_term_and_replicates_it()
    {
        var cluster = new TestCluster(3);
        cluster.PresetLog(1, 2, 1, 2);
        cluster.PresetLog(2, 2, 1, 2);

        cluster.Elect(1);

        var last = cluster[1].Log.EntryAt(cluster[1].Log.LastIndex);
        Assert.That(last.Index, Is.EqualTo(3));
        Assert.That(last.Kind, Is.EqualTo(EntryKind.NoOp));
        Assert.That(last.Term, Is.EqualTo(cluster[1].Term));
        Assert.That(cluster[2].Log.EntryAt(3), Is.EqualTo(last));
        Assert.That(cluster[1].CommitIndex, Is.EqualTo(3), "the no-op commits the earlier-term entries with it (§5.4.2)");
    }

    [Test]
    public void A_leader_appends_a_proposal_at_its_next_index_in_its_term()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);

        var outcome = cluster.Propose(1, Put(1)).Proposal!;

        Assert.That(outcome.Accepted, Is.True);
        Assert.That(outcome.Index, Is.EqualTo(2));
        Assert.That(outcome.Term, Is.EqualTo(1));
        Assert.That(cluster[1].Log.EntryAt(2).Command, Is.EqualTo(Put(1).Encode()));
    }

    [Test]
    public void A_proposal_on_a_follower_is_refused_with_a_leader_hint()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);

        var output = cluster.Propose(2, Put(1));

        Assert.That(output.Proposal!.Accepted, Is.False);
        Assert.That(output.Proposal.LeaderHint, Is.EqualTo(N(1)));
        Assert.That(cluster[2].Log.LastIndex, Is.EqualTo(1), "nothing appended");
        Assert.That(output.Effects, Is.Empty);
    }

    [Test]
    public void The_consistency_check_rejects_an_entry_at_prevLogIndex_with_another_term()
    {
        var cluster = new TestCluster(3);
        cluster.PresetLog(2, 2, 1, 1, 2);

        var reply = cluster.Deliver(Append(3, prevIndex: 3, prevTerm: 3, [Entry(4, 3)])).SentOne<AppendEntriesResponse>();

        Assert.That(reply.Success, Is.False);
        Assert.That(cluster.Terms(2), Is.EqualTo(new long[] { 1, 1, 2 }), "nothing appended after a mismatch");
        Assert.That((reply.HintTerm, reply.HintIndex), Is.EqualTo((2L, 3L)), "the follower's term at prevLogIndex and its first index");
    }

    [Test]
    public void The_consistency_check_rejects_a_prevLogIndex_beyond_the_log()
    {
        var cluster = new TestCluster(3);
        cluster.PresetLog(2, 2, 1, 1, 2);

        var reply = cluster.Deliver(Append(3, prevIndex: 5, prevTerm: 2, [Entry(6, 3)])).SentOne<AppendEntriesResponse>();

        Assert.That(reply.Success, Is.False);
        Assert.That(cluster[2].Log.LastIndex, Is.EqualTo(3));
        Assert.That((reply.HintTerm, reply.HintIndex), Is.EqualTo((0L, 4L)), "too short: retry after the follower's last entry");
    }

    [Test]
    public void A_prevLogTerm_mismatch_is_accepted_under_SkipPrevLogTermCheck()
    {
        // Teeth for the consistency check: with the term check off, a wrong history is extended.
        var cluster = new TestCluster(3, new RaftOptions { Bug = TeachingBug.SkipPrevLogTermCheck });
        cluster.PresetLog(2, 2, 1, 1, 2);

        var reply = cluster.Deliver(Append(3, prevIndex: 3, prevTerm: 3, [Entry(4, 3)])).SentOne<AppendEntriesResponse>();

        Assert.That(reply.Success, Is.True);
        Assert.That(cluster.Terms(2), Is.EqualTo(new long[] { 1, 1, 2, 3 }));
    }

    [Test]
    public void A_conflicting_suffix_is_deleted_and_the_new_entries_appended()
    {
        var cluster = new TestCluster(3);
        cluster.PresetLog(2, 2, 1, 1, 2, 2);

        var output = cluster.Deliver(Append(3, prevIndex: 2, prevTerm: 1, [Entry(3, 3)]));

        Assert.That(output.SentOne<AppendEntriesResponse>().Success, Is.True);
        Assert.That(cluster.Terms(2), Is.EqualTo(new long[] { 1, 1, 3 }), "index 4 went with the conflict at index 3");
        Assert.That(cluster.Storage(2).Entries.Select(e => e.Term), Is.EqualTo(new long[] { 1, 1, 3 }), "and on disk too");
    }

    [Test]
    public void Entries_that_match_are_kept_even_when_the_message_carries_fewer()
    {
        // §5.3: only a conflict (same index, different term) truncates; a short message does not.
        var cluster = new TestCluster(3);
        cluster.PresetLog(2, 2, 1, 1, 2, 2);

        var output = cluster.Deliver(Append(2, prevIndex: 0, prevTerm: 0, [Entry(1, 1), Entry(2, 1)]));

        Assert.That(output.SentOne<AppendEntriesResponse>().Index, Is.EqualTo(2), "it can vouch for index 2 only");
        Assert.That(cluster.Terms(2), Is.EqualTo(new long[] { 1, 1, 2, 2 }));
        Assert.That(output.OfType<PersistEntries>(), Is.Empty, "nothing changed, nothing to write");
    }

    [Test]
    public void A_duplicated_old_AppendEntries_does_not_truncate_entries_that_came_later()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        cluster.Propose(1, Put(1));
        cluster.Propose(1, Put(2));
        var toN2 = cluster.Take(m => m is AppendEntries && m.To == N(2));
        Assert.That(toN2, Has.Count.EqualTo(2), "pipelined: one AppendEntries per proposal");

        cluster.Deliver(toN2[0]);
        cluster.Deliver(toN2[1]);
        cluster.Deliver(toN2[0]); // the network duplicates the first one
        cluster.DeliverAll();

        Assert.That(cluster.Terms(2), Is.EqualTo(new long[] { 1, 1, 1 }));
        Assert.That(cluster[1].ProgressOf(N(2))!.Match, Is.EqualTo(3), "the late reply for index 2 does not lower Match");
    }

    [Test]
    public void A_reordered_old_AppendEntries_does_not_truncate_entries_that_came_later()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        cluster.Propose(1, Put(1));
        var old = cluster.Take(m => m is AppendEntries && m.To == N(2)).Single(); // carries index 2 only
        cluster.Propose(1, Put(2));

        cluster.DeliverAll(); // n2 rejects index 3 (no index 2), the leader backs off and resends 2..3
        Assert.That(cluster.Terms(2), Is.EqualTo(new long[] { 1, 1, 1 }));

        cluster.Deliver(old); // overtaken by the newer message, arrives last

        Assert.That(cluster.Terms(2), Is.EqualTo(new long[] { 1, 1, 1 }));
        Assert.That(cluster[2].Log.EntryAt(3).Command, Is.EqualTo(Put(2).Encode()));
    }
}
