using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Storage;
using Raft.Net.Hosting;
using Raft.Net.Storage;

namespace Raft.Tests.Net;

/// <summary>
/// A slow disk must not starve heartbeats: every fsync of these nodes takes longer than the
/// shortest election timeout, and still a steady leader under a write load keeps its term, because
/// the log's fsync runs on the sync thread and a leader's AppendEntries wait for no write of its own
/// (thesis §10.2.1). What still syncs on the node's thread (a new term or vote, a snapshot, a log
/// rewrite) is rare for a steady leader; docs/bounds.md says so.
/// </summary>
[NonParallelizable]
public sealed class SlowDiskTests
{
    private static readonly TimeSpan FsyncDelay = TimeSpan.FromMilliseconds(150);

    [Test]
    public void A_steady_leader_on_a_disk_slower_than_the_election_timeout_keeps_its_term_under_load()
    {
        // 5 ms ticks: election timeouts of 100-200 ms, heartbeats every 10 ms; each fsync takes 150 ms.
        var options = new RaftOptions { ElectionTicks = 20, HeartbeatTicks = 2, LeaderPersistsInParallel = true };
        using var cluster = new InProcessCluster(3, options, createHost: config => new NodeHost(config)
        {
            Log = _ => { },
            OpenStorage = c => new SlowStorage(FileStorage.Open(c.DataDirectory, fsync: true), FsyncDelay),
        });
        var leader = cluster.WaitForLeader(seconds: 20);
        InProcessCluster.WaitUntil(() => cluster.Hosts.All(h => h.Metrics?.Leader == leader), 10, "every node to follow the leader");
        var term = cluster.Hosts.Max(h => h.Metrics!.Term);
        var commitBefore = cluster.Hosts.Max(h => h.Metrics!.CommitIndex);

        using var client = cluster.Client(1);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        var written = 0;
        while (DateTime.UtcNow < deadline)
        {
            var command = client.NextCommand(Raft.Core.StateMachine.KvOperation.Put, $"k{written % 10}", $"v{written}");
            if (client.Execute(command, DateTime.UtcNow + TimeSpan.FromSeconds(5)) is not null) written++;
        }

        Assert.That(written, Is.GreaterThan(3), "writes must go through, slowly");
        Assert.That(cluster.Hosts.Select(h => h.Metrics!.Term), Is.All.EqualTo(term), "no election: heartbeats went on while the disks synced");
        Assert.That(cluster.Hosts.Select(h => h.Metrics!.Role).Count(r => r == Role.Leader), Is.EqualTo(1));
        Assert.That(cluster.Hosts.Max(h => h.Metrics!.CommitIndex), Is.GreaterThan(commitBefore));
    }

    /// <summary>A disk on which every sync takes <paramref name="delay"/> more, where it runs: on the sync thread or the node's.</summary>
    private sealed class SlowStorage(FileStorage disk, TimeSpan delay) : INodeStorage
    {
        public long Syncs => disk.Syncs;

        public PersistentState Load() => disk.Load();

        public void Persist(Effect effect)
        {
            if (effect is PersistSnapshot) Thread.Sleep(delay); // a snapshot is made durable where it is written
            disk.Persist(effect);
        }

        public void Sync()
        {
            var before = disk.Syncs;
            disk.Sync();
            if (disk.Syncs > before) Thread.Sleep(delay);
        }

        public Action? SyncLater()
        {
            var before = disk.Syncs;
            if (disk.SyncLater() is { } fsync)
                return () =>
                {
                    Thread.Sleep(delay);
                    fsync();
                };
            if (disk.Syncs > before) Thread.Sleep(delay); // it synced at once, on the node's thread
            return null;
        }

        public void Dispose() => disk.Dispose();
    }
}
