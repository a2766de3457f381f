using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Messages;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>
/// A follower's memory for an incoming snapshot is bounded by <see cref="RaftOptions.MaxSnapshotBytes"/>:
/// a transfer that would grow past it is dropped and counted, never kept.
/// </summary>
public sealed class SnapshotBoundTests
{
    /// <summary>n3 misses 30 entries that n1 then compacts; returns the snapshot's size in bytes.</summary>
    private static int CompactWhileN3IsDown(TestCluster cluster)
    {
        cluster.Elect(1);
        cluster.Crash(3);
        for (var n = 1; n <= 30; n++)
        {
            cluster.Propose(1, Put(n));
            cluster.DeliverAll();
        }
        var size = cluster.Compact(1).OfType<PersistSnapshot>().Single().Snapshot.Data.Length;
        cluster.Restart(3);
        return size;
    }

    private static void Heartbeats(TestCluster cluster, int rounds)
    {
        for (var r = 0; r < rounds; r++)
        {
            cluster.Tick(1, cluster.Options.HeartbeatTicks);
            cluster.DeliverAll();
        }
    }

    [Test]
    public void A_snapshot_larger_than_the_followers_bound_is_dropped_and_counted_not_installed()
    {
        var cluster = new TestCluster(3, new RaftOptions { MaxSnapshotChunkBytes = 16, MaxSnapshotBytes = 100 });
        var size = CompactWhileN3IsDown(cluster);
        Assume.That(size, Is.GreaterThan(100), "the snapshot must exceed the bound for this test to mean anything");

        Heartbeats(cluster, 5);

        Assert.That(cluster[3].LastApplied, Is.Zero, "n3 must not install a snapshot past its bound");
        Assert.That(cluster[3].IgnoredMessages, Is.GreaterThanOrEqualTo(1), "each transfer that grows past the bound is counted");
        Assert.That(cluster[1].CommitIndex, Is.GreaterThanOrEqualTo(31), "the majority keeps committing");
    }

    [Test]
    public void The_transfer_is_refused_at_the_first_chunk_that_would_take_it_past_the_bound()
    {
        // Chunks of 16 bytes against a bound of 100: the chunks at offsets 0 to 80 end at or below
        // 96 and are kept; the one at offset 96 would make 112 bytes and is the one refused.
        var cluster = new TestCluster(3, new RaftOptions { MaxSnapshotChunkBytes = 16, MaxSnapshotBytes = 100 });
        var size = CompactWhileN3IsDown(cluster);
        Assume.That(size, Is.GreaterThan(112), "the snapshot must have a chunk at offset 96 that is not its last");
        cluster.Tick(1, cluster.Options.HeartbeatTicks);
        var chunk = cluster.Take(m => m is InstallSnapshot && m.To == N(3)).Cast<InstallSnapshot>().Single();
        cluster.DropAll();

        while (chunk.Offset < 96)
        {
            var answer = cluster.Deliver(chunk).SentOne<InstallSnapshotResponse>();
            Assert.That(answer.NextOffset, Is.EqualTo(chunk.Offset + 16), $"the chunk at offset {chunk.Offset} is kept");
            chunk = cluster.Deliver(answer).SentOne<InstallSnapshot>();
        }
        var ignoredBefore = cluster[3].IgnoredMessages;

        var refused = cluster.Deliver(chunk);

        Assert.That(refused.Sent<InstallSnapshotResponse>(), Is.Empty, "the chunk that crosses the bound gets no answer");
        Assert.That(cluster[3].IgnoredMessages, Is.EqualTo(ignoredBefore + 1), "and is counted");
    }

    [Test]
    public void A_snapshot_within_the_bound_is_installed_as_before()
    {
        var probe = new TestCluster(3, new RaftOptions { MaxSnapshotChunkBytes = 16 });
        var size = CompactWhileN3IsDown(probe);
        var cluster = new TestCluster(3, new RaftOptions { MaxSnapshotChunkBytes = 16, MaxSnapshotBytes = size });
        CompactWhileN3IsDown(cluster);

        Heartbeats(cluster, 5 + size / 16);

        Assert.That(cluster[3].LastApplied, Is.EqualTo(cluster[1].LastApplied), "a snapshot of exactly the bound is accepted");
        Assert.That(cluster[3].IgnoredMessages, Is.Zero);
    }
}
