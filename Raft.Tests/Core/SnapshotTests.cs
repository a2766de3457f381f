using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Core.StateMachine;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>
/// §7 and Figures 12-13: the driver compacts applied entries into a snapshot; a leader brings a
/// follower that needs compacted entries up to date with chunked InstallSnapshot; a node restarts
/// from its snapshot plus the log after it.
/// </summary>
public sealed class SnapshotTests
{
    private static readonly RaftOptions SmallChunks = new() { MaxSnapshotChunkBytes = 64 };

    /// <summary>Proposes <paramref name="count"/> puts through the leader, delivering after each.</summary>
    private static void Commit(TestCluster cluster, int leader, int from, int count, int compactEvery = 0)
    {
        for (var n = from; n < from + count; n++)
        {
            cluster.Propose(leader, Put(n));
            cluster.DeliverAll();
            if (compactEvery > 0 && n % compactEvery == 0)
                foreach (var id in cluster.LiveIds()) cluster.Compact(id);
        }
    }

    /// <summary>
    /// n1 leads; n3 is down while n1 commits <paramref name="entries"/> entries and compacts them;
    /// n3 restarts and n1's next heartbeat sends it the first snapshot chunk, taken off the wire.
    /// </summary>
    private static (TestCluster Cluster, InstallSnapshot FirstChunk) FirstChunkToRestartedFollower(int entries)
    {
        var cluster = new TestCluster(3, SmallChunks);
        cluster.Elect(1);
        cluster.Crash(3);
        Commit(cluster, 1, 1, entries);
        cluster.Compact(1);
        cluster.Restart(3);
        cluster.Tick(1, cluster.Options.HeartbeatTicks);
        var chunk = cluster.Take(m => m is InstallSnapshot && m.To == N(3)).Cast<InstallSnapshot>().Single();
        return (cluster, chunk);
    }

    /// <summary>Heartbeats from the leader until quiet, <paramref name="rounds"/> times.</summary>
    private static void Heartbeats(TestCluster cluster, int leader, int rounds)
    {
        for (var r = 0; r < rounds; r++)
        {
            cluster.Tick(leader, cluster.Options.HeartbeatTicks);
            cluster.DeliverAll();
        }
    }

    private static void AssertConverged(TestCluster cluster, int a, int b)
    {
        var commit = cluster[a].CommitIndex;
        Assert.That(cluster[b].CommitIndex, Is.EqualTo(commit), "commit index");
        Assert.That(cluster[b].Log.DigestAt(commit), Is.EqualTo(cluster[a].Log.DigestAt(commit)), "digest at commit");
        Assert.That(cluster[b].LastApplied, Is.EqualTo(cluster[a].LastApplied), "applied index");
        Assert.That(cluster.StateMachine(b).Snapshot(), Is.EqualTo(cluster.StateMachine(a).Snapshot()), "state machine");
    }

    [Test]
    public void Compact_persists_a_snapshot_and_discards_the_applied_prefix()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        Commit(cluster, 1, 1, 10);
        var applied = cluster[1].LastApplied;

        var output = cluster.Compact(1);

        var persisted = output.OfType<PersistSnapshot>().Single().Snapshot;
        Assert.That(persisted.LastIncludedIndex, Is.EqualTo(applied));
        Assert.That(cluster[1].Log.FirstIndex, Is.EqualTo(applied + 1));
        Assert.That(cluster.Storage(1).Snapshot, Is.EqualTo(persisted));
        Assert.That(cluster.Storage(1).Entries, Is.Empty, "every stored entry was applied, so all are compacted");
    }

    [Test]
    public void Compact_beyond_the_applied_index_is_a_driver_error()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        Commit(cluster, 1, 1, 3);

        Assert.Throws<ArgumentException>(() => cluster.Step(1, new Compact(cluster[1].LastApplied + 1, [])));
    }

    [Test]
    public void Compact_that_is_not_newer_than_the_snapshot_is_ignored()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        Commit(cluster, 1, 1, 5);
        cluster.Compact(1);

        var output = cluster.Step(1, new Compact(2, []));

        Assert.That(output.Effects, Is.Empty);
        Assert.That(cluster[1].Log.SnapshotIndex, Is.EqualTo(cluster[1].LastApplied));
    }

    [Test]
    public void Compact_at_exactly_the_snapshot_index_is_ignored()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        Commit(cluster, 1, 1, 5);
        cluster.Compact(1);
        var at = cluster[1].Log.SnapshotIndex;

        var output = cluster.Step(1, new Compact(at, []));

        Assert.That(output.Effects, Is.Empty, "nothing newer to compact: no error, no second snapshot");
        Assert.That(cluster[1].Log.SnapshotIndex, Is.EqualTo(at));
    }

    [Test]
    public void Leader_sends_InstallSnapshot_instead_of_AppendEntries_when_the_follower_needs_a_compacted_entry()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        cluster.Crash(3);
        Commit(cluster, 1, 1, 10);
        cluster.Compact(1);
        cluster.Restart(3);

        cluster.Tick(1, cluster.Options.HeartbeatTicks - 1);
        var output = cluster.Tick(1);

        var toThree = output.Sent<Message>().Where(m => m.To == N(3)).ToList();
        Assert.That(toThree, Has.Count.EqualTo(1));
        Assert.That(toThree[0], Is.TypeOf<InstallSnapshot>());
        Assert.That(((InstallSnapshot)toThree[0]).LastIncludedIndex, Is.EqualTo(cluster[1].Log.SnapshotIndex));
    }

    [Test]
    public void A_node_down_for_1000_entries_is_brought_up_by_InstallSnapshot_and_converges()
    {
        var cluster = new TestCluster(3, SmallChunks);
        cluster.Elect(1);
        cluster.Crash(3);
        Commit(cluster, 1, 1, 1000, compactEvery: 100);
        Assert.That(cluster[1].Log.SnapshotIndex, Is.GreaterThan(900));

        cluster.Restart(3);
        Heartbeats(cluster, 1, 2);

        var chunks = cluster.EffectLog[N(1)].OfType<Send>().Select(s => s.Message).OfType<InstallSnapshot>().Count(m => m.To == N(3));
        Assert.That(chunks, Is.GreaterThan(1), "the snapshot went in several chunks");
        Assert.That(cluster.EffectLog[N(3)].OfType<RestoreSnapshot>().Count(), Is.EqualTo(1));
        Assert.That(cluster[1].ProgressOf(N(3))!.Match, Is.EqualTo(cluster[1].Log.LastIndex));
        AssertConverged(cluster, 1, 3);
        Assert.That(cluster.StateMachine(3).Values["k1000"], Is.EqualTo("v1000"));
    }

    [Test]
    public void A_chunked_snapshot_still_installs_when_chunks_are_lost_duplicated_and_reordered()
    {
        var cluster = new TestCluster(3, SmallChunks);
        cluster.Elect(1);
        cluster.Crash(3);
        Commit(cluster, 1, 1, 100);
        cluster.Compact(1);
        cluster.Restart(3);

        var seen = 0;
        var replays = new List<Message>();
        for (var round = 0; round < 200 && cluster[3].CommitIndex < cluster[1].CommitIndex; round++)
        {
            cluster.Tick(1, cluster.Options.HeartbeatTicks);
            cluster.DeliverAllExcept(m =>
            {
                if (m is not (InstallSnapshot or InstallSnapshotResponse)) return false;
                seen++;
                if (seen % 5 == 0) replays.Add(m); // delivered again, late
                return seen % 3 == 0; // lost
            });
            foreach (var late in replays) cluster.Deliver(late);
            replays.Clear();
            cluster.DeliverAll();
        }

        Assert.That(cluster.EffectLog[N(3)].OfType<RestoreSnapshot>().Count(), Is.EqualTo(1));
        AssertConverged(cluster, 1, 3);
    }

    [Test]
    public void A_stale_snapshot_not_beyond_the_followers_commit_index_is_ignored()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        Commit(cluster, 1, 1, 20);
        var lastIndex = cluster[2].Log.LastIndex;
        var digest = cluster[2].Log.DigestAt(10);

        var output = cluster.Deliver(new InstallSnapshot(N(1), N(2), cluster[1].Term, 999_999, 10, cluster[2].Log.TermAt(10), digest, new Raft.Core.Membership.Configuration(cluster.Members), 0, [1, 2, 3], Done: true));

        Assert.That(output.OfType<PersistSnapshot>(), Is.Empty);
        Assert.That(output.OfType<RestoreSnapshot>(), Is.Empty);
        Assert.That(cluster[2].Log.SnapshotIndex, Is.Zero);
        Assert.That(cluster[2].Log.LastIndex, Is.EqualTo(lastIndex));
        Assert.That(output.SentOne<InstallSnapshotResponse>().Done, Is.True, "the leader may move on: the follower already has it");
    }

    [Test]
    public void A_follower_persists_the_snapshot_and_restores_its_state_machine_before_acknowledging()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        cluster.Crash(3);
        Commit(cluster, 1, 1, 10);
        cluster.Compact(1);
        cluster.Restart(3);
        cluster.Tick(1, cluster.Options.HeartbeatTicks);
        var chunk = cluster.Take(m => m is InstallSnapshot && m.To == N(3)).Cast<InstallSnapshot>().Single();
        Assert.That(chunk.Done, Is.True, "a small snapshot fits in one default-sized chunk");

        var output = cluster.Deliver(chunk);

        var effects = output.Effects.ToList();
        var persist = effects.FindIndex(e => e is PersistSnapshot);
        var restore = effects.FindIndex(e => e is RestoreSnapshot);
        var ack = effects.FindIndex(e => e is Send { Message: InstallSnapshotResponse { Done: true } });
        Assert.That(persist, Is.GreaterThanOrEqualTo(0));
        Assert.That(restore, Is.GreaterThan(persist));
        Assert.That(ack, Is.GreaterThan(persist));
        Assert.That(cluster[3].CommitIndex, Is.EqualTo(chunk.LastIncludedIndex));
        Assert.That(cluster[3].LastApplied, Is.EqualTo(chunk.LastIncludedIndex));
    }

    [Test]
    public void A_chunk_that_does_not_continue_the_received_bytes_is_answered_with_the_expected_offset()
    {
        var (cluster, first) = FirstChunkToRestartedFollower(50);
        Assert.That(first.Done, Is.False);

        var skipped = cluster.Deliver(first with { Offset = 128 }).SentOne<InstallSnapshotResponse>();
        var duplicate = cluster.Deliver(first).SentOne<InstallSnapshotResponse>();
        var again = cluster.Deliver(first).SentOne<InstallSnapshotResponse>();

        Assert.That(skipped.NextOffset, Is.Zero);
        Assert.That(duplicate.NextOffset, Is.EqualTo(first.Data.Length));
        Assert.That(again.NextOffset, Is.EqualTo(first.Data.Length), "a duplicated chunk is not appended twice");
    }

    [Test]
    public void A_restarted_node_recovers_from_its_snapshot_plus_the_log_after_it()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        Commit(cluster, 1, 1, 30);
        cluster.Compact(2);
        Commit(cluster, 1, 31, 5);
        var before = (cluster[2].Log.SnapshotIndex, cluster[2].Log.LastIndex, Digest: cluster[2].Log.DigestAt(cluster[2].Log.LastIndex));

        cluster.Crash(2);
        var restarted = cluster.Restart(2);

        Assert.That(restarted.Log.SnapshotIndex, Is.EqualTo(before.SnapshotIndex));
        Assert.That(restarted.Log.LastIndex, Is.EqualTo(before.LastIndex));
        Assert.That(restarted.Log.DigestAt(restarted.Log.LastIndex), Is.EqualTo(before.Digest));
        Assert.That(restarted.CommitIndex, Is.EqualTo(before.SnapshotIndex), "a snapshot holds only committed entries");
        // Index 1 is the leader's no-op, so put n sits at index n + 1.
        var lastPut = before.SnapshotIndex - 1;
        Assert.That(cluster.StateMachine(2).Values, Has.Count.EqualTo(lastPut), "the state machine starts from the snapshot");
        Assert.That(cluster.StateMachine(2).Values[$"k{lastPut}"], Is.EqualTo($"v{lastPut}"));
        Heartbeats(cluster, 1, 1);
        AssertConverged(cluster, 1, 2);
    }

    [Test]
    public void A_leader_restarted_from_a_snapshot_can_bring_a_lagging_follower_up_to_date()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        cluster.Crash(3);
        Commit(cluster, 1, 1, 20);
        cluster.Compact(1);
        cluster.Compact(2);
        cluster.Crash(1);
        cluster.Restart(1);
        cluster.Restart(3);

        cluster.Elect(2);
        Heartbeats(cluster, 2, 2);

        AssertConverged(cluster, 2, 3);
        AssertConverged(cluster, 2, 1);
    }

    [Test]
    public void A_stale_rejection_does_not_restart_a_snapshot_transfer_in_progress()
    {
        var cluster = new TestCluster(3, SmallChunks);
        cluster.Elect(1);
        cluster.Crash(3);
        Commit(cluster, 1, 1, 50);
        cluster.Compact(1);
        cluster.Restart(3);
        cluster.Tick(1, cluster.Options.HeartbeatTicks);
        cluster.Deliver(cluster.Take(m => m is InstallSnapshot && m.To == N(3)).Single()); // first chunk in
        cluster.Deliver(cluster.Take(m => m is InstallSnapshotResponse).Single()); // leader learns the offset
        cluster.DropAll();
        var progress = cluster[1].ProgressOf(N(3))!;
        var offset = progress.SnapshotOffset;
        Assert.That(offset, Is.GreaterThan(0));

        cluster.Deliver(new AppendEntriesResponse(N(3), N(1), cluster[1].Term, 999_999, 1, Success: false, Index: progress.Next - 1, HintIndex: 1, HintTerm: 0));

        Assert.That(progress.State, Is.EqualTo(ReplicationState.Snapshot));
        Assert.That(progress.SnapshotOffset, Is.EqualTo(offset));
    }

    [Test]
    public void A_delayed_chunk_of_an_older_snapshot_does_not_discard_a_newer_one_half_received()
    {
        var (cluster, older) = FirstChunkToRestartedFollower(30);
        Commit(cluster, 1, 31, 10);
        cluster.Compact(1);
        cluster.DropAll();
        cluster.Tick(1, cluster.Options.HeartbeatTicks);
        var newer = cluster.Take(m => m is InstallSnapshot && m.To == N(3)).Cast<InstallSnapshot>().Single();
        Assert.That(newer.LastIncludedIndex, Is.GreaterThan(older.LastIncludedIndex));
        cluster.Deliver(newer);

        var late = cluster.Deliver(older);
        var next = cluster.Deliver(newer with { Offset = newer.Data.Length, Data = [] }).SentOne<InstallSnapshotResponse>();

        Assert.That(late.Sent<InstallSnapshotResponse>(), Is.Empty);
        Assert.That(next.NextOffset, Is.EqualTo(newer.Data.Length), "the newer snapshot's first chunk is still held");
    }

    [Test]
    public void A_leader_of_a_later_term_replaces_a_half_received_snapshot_even_an_older_one()
    {
        var cluster = new TestCluster(3, SmallChunks);
        var members = new Raft.Core.Membership.Configuration(cluster.Members);
        var data = new KvStateMachine().Snapshot();
        // n1, leader of term 1, sent n3 the first half of its snapshot up to 20, then was deposed.
        cluster.Deliver(new InstallSnapshot(N(1), N(3), 1, 1, 20, 1, 0xA, members, 0, [1, 2, 3], Done: false));

        // n2 leads term 2 with a snapshot up to 15: the half-received one will never be finished.
        var output = cluster.Deliver(new InstallSnapshot(N(2), N(3), 2, 2, 15, 1, 0xB, members, 0, data, Done: true));

        Assert.That(output.OfType<RestoreSnapshot>().Single().Snapshot.LastIncludedIndex, Is.EqualTo(15));
        Assert.That(output.Sent<InstallSnapshotResponse>().Single().Done, Is.True, "n2 hears that n3 has it and goes on with entries");
        Assert.That(cluster[3].Log.SnapshotIndex, Is.EqualTo(15));
    }
}
