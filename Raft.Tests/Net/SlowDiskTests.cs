using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Storage;
using Raft.Net.Hosting;
using Raft.Net.Storage;

namespace Raft.Tests.Net;

/// <summary>
/// A slow disk must not starve heartbeats: every sync of these nodes, and every snapshot they
/// write, takes longer than the shortest election timeout, and still a steady leader under a write
/// load keeps its term, because all disk work runs on the node's disk thread and a leader's
/// AppendEntries wait for no write of its own (thesis §10.2.1).
/// </summary>
[NonParallelizable]
public sealed class SlowDiskTests
{
    private static readonly TimeSpan DiskDelay = TimeSpan.FromMilliseconds(150);

    [Test]
    public void A_steady_leader_on_a_disk_slower_than_the_election_timeout_keeps_its_term_under_load()
    {
        var written = WriteForThreeSeconds(snapshotEveryEntries: 0, logRewriteDeadBytes: FileStorage.DefaultLogRewriteDeadBytes);
        Assert.That(written, Is.GreaterThan(3), "writes must go through, slowly");
    }

    [Test]
    public void Frequent_snapshots_and_log_rewrites_on_a_slow_disk_cause_no_election()
    {
        // A snapshot every 5 entries on every node, and the log file rewritten as soon as it holds
        // dead records: each snapshot is 150 ms of writing before the rename, and each rewrite
        // another sync. Done on the node's thread, that silenced followers past their election timeout.
        var written = WriteForThreeSeconds(snapshotEveryEntries: 5, logRewriteDeadBytes: 0);
        Assert.That(written, Is.GreaterThan(10), "enough writes for snapshots on every node");
    }

    /// <summary>
    /// Elects a leader of 3 nodes on slow disks (5 ms ticks: election timeouts of 100-200 ms,
    /// heartbeats every 10 ms), writes from one client for 3 s, asserts that every node kept the
    /// term it had before the writes and one still leads, and returns how many writes were answered.
    /// </summary>
    private static int WriteForThreeSeconds(int snapshotEveryEntries, long logRewriteDeadBytes)
    {
        var options = new RaftOptions { ElectionTicks = 20, HeartbeatTicks = 2, LeaderPersistsInParallel = true };
        var disks = new List<SlowStorage>();
        using var cluster = new InProcessCluster(3, options, snapshotEveryEntries: snapshotEveryEntries, createHost: config => new NodeHost(config)
        {
            Log = _ => { },
            OpenStorage = c =>
            {
                var disk = new SlowStorage(FileStorage.Open(c.DataDirectory, fsync: true, logRewriteDeadBytes), DiskDelay);
                lock (disks) disks.Add(disk);
                return disk;
            },
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

        var terms = cluster.Hosts.Select(h => h.Metrics!.Term).ToList();
        Assert.That(cluster.Hosts.Select(h => h.Metrics!.Role).Count(r => r == Role.Leader), Is.EqualTo(1));
        Assert.That(cluster.Hosts.Max(h => h.Metrics!.CommitIndex), Is.GreaterThan(commitBefore));
        if (snapshotEveryEntries > 0)
            Assert.That(disks.Sum(d => d.SlowSnapshots), Is.GreaterThanOrEqualTo(3), "the nodes wrote snapshots, slowly");
        Assert.That(terms, Is.All.EqualTo(term), "no election: heartbeats went on while the disks worked");
        return written;
    }

    /// <summary>A disk on which every sync that writes, and every snapshot, takes <paramref name="delay"/> more.</summary>
    private sealed class SlowStorage(FileStorage disk, TimeSpan delay) : INodeStorage
    {
        private int slowSnapshots;

        public int SlowSnapshots => Volatile.Read(ref slowSnapshots);

        public PersistentState Load() => disk.Load();

        public void Persist(Effect effect)
        {
            if (effect is PersistSnapshot)
            {
                Thread.Sleep(delay); // a snapshot is made durable where it is written
                Interlocked.Increment(ref slowSnapshots);
            }
            disk.Persist(effect);
        }

        public void Sync()
        {
            var before = disk.Syncs;
            disk.Sync();
            if (disk.Syncs > before) Thread.Sleep(delay);
        }

        public void Dispose() => disk.Dispose();
    }
}
