using Raft.Core;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>
/// What a leader does with each answer to a snapshot chunk, at once and not at a later heartbeat:
/// the next chunk, then the entries after the snapshot. These rules survived a mutation run of the
/// core (docs/mutation-score.md): the other snapshot tests let heartbeats finish the transfer.
/// </summary>
public sealed class SnapshotReplyTests
{
    private static readonly RaftOptions SmallChunks = new() { MaxSnapshotChunkBytes = 64 };

    /// <summary>
    /// n1 leads; n3 is down while n1 commits 40 puts, compacts them, and commits 2 more; n3 restarts
    /// and n1's next heartbeat sends it the first snapshot chunk, taken off the wire.
    /// </summary>
    private static (TestCluster Cluster, InstallSnapshot FirstChunk) FirstChunk()
    {
        var cluster = new TestCluster(3, SmallChunks);
        cluster.Elect(1);
        cluster.Crash(3);
        for (var n = 1; n <= 40; n++)
        {
            cluster.Propose(1, Put(n));
            cluster.DeliverAll();
        }
        cluster.Compact(1);
        for (var n = 41; n <= 42; n++)
        {
            cluster.Propose(1, Put(n));
            cluster.DeliverAll();
        }
        cluster.Restart(3);
        cluster.Tick(1, cluster.Options.HeartbeatTicks);
        var chunk = cluster.Take(m => m is InstallSnapshot && m.To == N(3)).Cast<InstallSnapshot>().Single();
        Assert.That((chunk.Offset, chunk.Done), Is.EqualTo((0L, false)), "the premise: a snapshot of several chunks");
        cluster.DropAll();
        return (cluster, chunk);
    }

    [Test]
    public void Each_answered_chunk_brings_the_next_at_once_and_the_last_brings_the_entries_after_the_snapshot()
    {
        var (cluster, chunk) = FirstChunk();
        var chunks = 1;
        while (!chunk.Done)
        {
            cluster.Deliver(chunk);
            var answer = cluster.Take(m => m is InstallSnapshotResponse).Single();
            var next = cluster.Deliver(answer).Sent<InstallSnapshot>();
            Assert.That(next, Has.Count.EqualTo(1), $"the answer to chunk {chunks} brings the next one at once");
            Assert.That(next[0].Offset, Is.EqualTo(chunk.Offset + chunk.Data.Length), "it starts where the last one ended");
            chunk = next[0];
            chunks++;
            cluster.DropAll();
        }
        cluster.Deliver(chunk);
        var installed = (InstallSnapshotResponse)cluster.Take(m => m is InstallSnapshotResponse).Single();
        Assert.That(installed.Done, Is.True, "the premise: n3 installed it");

        var after = cluster.Deliver(installed);

        var progress = cluster[1].ProgressOf(N(3))!;
        Assert.That((progress.State, progress.Match), Is.EqualTo((ReplicationState.Replicate, chunk.LastIncludedIndex)), "n3 matches up to the snapshot");
        var append = after.SentOne<AppendEntries>();
        Assert.That((append.To, append.PrevLogIndex), Is.EqualTo((N(3), chunk.LastIncludedIndex)), "and is sent what follows it at once");
        Assert.That(append.Entries.Select(e => e.Index), Is.EqualTo(new[] { chunk.LastIncludedIndex + 1, chunk.LastIncludedIndex + 2 }));
    }

    [Test]
    public void An_answer_about_another_snapshot_or_claiming_more_bytes_than_it_has_sends_nothing()
    {
        var (cluster, chunk) = FirstChunk();
        var progress = cluster[1].ProgressOf(N(3))!;
        InstallSnapshotResponse Answer(long lastIncluded, long nextOffset) =>
            new(N(3), N(1), cluster[1].Term, 999_999, chunk.Id, lastIncluded, nextOffset, Done: false);

        var ignoredBefore = cluster[1].IgnoredMessages;

        var older = cluster.Deliver(Answer(chunk.LastIncludedIndex - 1, 64));
        var tooMuch = cluster.Deliver(Answer(chunk.LastIncludedIndex, 1_000_000)); // the snapshot of 40 puts has a few kilobytes

        Assert.That(older.Sent<Message>(), Is.Empty, "about another transfer");
        Assert.That(tooMuch.Sent<Message>(), Is.Empty, "no correct follower holds more than the snapshot has");
        Assert.That(cluster[1].IgnoredMessages, Is.EqualTo(ignoredBefore + 1), "the implausible one is counted; the one about another transfer is ordinary");
        Assert.That((progress.State, progress.SnapshotOffset), Is.EqualTo((ReplicationState.Snapshot, 0L)), "the transfer is where it was");
    }

    [Test]
    public void A_follower_that_holds_none_of_a_snapshot_answers_a_later_chunk_with_offset_zero_not_installed()
    {
        var (cluster, chunk) = FirstChunk();
        var later = chunk with { Offset = 64, Done = false }; // the first chunk was lost

        var answer = cluster.Deliver(later).SentOne<InstallSnapshotResponse>();

        Assert.That((answer.NextOffset, answer.Done), Is.EqualTo((0L, false)), "start over from the first byte");
        Assert.That(cluster[3].Log.SnapshotIndex, Is.Zero);
    }
}
