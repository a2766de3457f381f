using Raft.Core;
using Raft.Core.Log;
using Raft.Core.StateMachine;
using Raft.Net.Cluster;
using Raft.Net.Hosting;
using Raft.Net.Parity;
using Raft.Net.StateMachine;

namespace Raft.Tests.Net;

/// <summary>Real nodes (NetMQ on loopback) with <c>--store sqlite</c>: restarts, InstallSnapshot, and the run's store check.</summary>
[NonParallelizable]
public sealed class SqliteNodeTests
{
    private static NodeHost SqliteHost(NodeConfig config) => new(config with { Store = StoreKind.Sqlite }) { Log = _ => { } };

    /// <summary>
    /// The restarted node's core re-delivers every entry from index 1 (no snapshot); its database
    /// holds them all. Applying one again would run an append twice (the store refuses: the node
    /// would stop itself). Then the node leads and answers a ReadIndex read and a write.
    /// </summary>
    [Test]
    public void A_restarted_node_skips_the_entries_its_database_holds_and_then_serves_reads_and_writes()
    {
        using var cluster = new InProcessCluster(3, createHost: SqliteHost);
        var leader = cluster.WaitForLeader();
        var follower = NodeId.Range(3).First(id => id != leader);
        using var client = cluster.Client(1);
        for (var i = 0; i < 20; i++)
            Assert.That(client.Execute(client.NextCommand(KvOperation.Append, "x", "a"), Deadline()), Is.Not.Null);
        InProcessCluster.WaitUntil(() => cluster[follower.Value].Metrics?.CommitIndex == cluster[leader.Value].Metrics?.CommitIndex, 10, "the follower to commit everything");

        cluster.Restart(follower);
        var restarted = cluster[follower.Value];
        InProcessCluster.WaitUntil(() => restarted.Metrics?.CommitIndex == cluster[leader.Value].Metrics?.CommitIndex, 10, "the restarted follower to learn the commit index");
        cluster[leader.Value].TransferLeadership(follower);
        InProcessCluster.WaitUntil(() => restarted.Metrics?.Role == Role.Leader, 10, "the restarted node to lead");

        Assert.That(restarted.Faulted.IsCompleted, Is.False, restarted.Faulted.IsCompleted ? restarted.Faulted.Result.ToString() : "");
        Assert.That(client.Execute(client.NextCommand(KvOperation.Get, "x"), Deadline())?.Value, Is.EqualTo(new string('a', 20)));
        Assert.That(client.Execute(client.NextCommand(KvOperation.Append, "x", "b"), Deadline())?.Value, Is.EqualTo(new string('a', 20) + "b"));
        var directories = NodeId.Range(3).Select(cluster.DataDirectory).ToArray();
        foreach (var host in cluster.Hosts) host.Dispose();
        AssertStoresHoldTheCommittedLog(directories);
    }

    /// <summary>
    /// A power loss can take back the database's last commits (synchronous=NORMAL) after compaction
    /// removed those entries from the log: here the whole database is gone. The node must start from
    /// its Raft snapshot, not apply entries after it to a store that lacks those before.
    /// </summary>
    [Test]
    public void A_node_whose_database_lags_behind_its_snapshot_starts_from_the_snapshot()
    {
        using var cluster = new InProcessCluster(3, snapshotEveryEntries: 10, createHost: SqliteHost);
        var leader = cluster.WaitForLeader();
        var follower = NodeId.Range(3).First(id => id != leader);
        using var client = cluster.Client(1);
        for (var i = 0; i < 30; i++)
            Assert.That(client.Execute(client.NextCommand(KvOperation.Append, "x", "a"), Deadline()), Is.Not.Null);
        InProcessCluster.WaitUntil(() => cluster[follower.Value].Metrics?.CommitIndex == cluster[leader.Value].Metrics?.CommitIndex, 10, "the follower to commit everything");

        cluster[follower.Value].Dispose();
        Assert.That(File.Exists(Path.Combine(cluster.DataDirectory(follower), "snapshot")), Is.True, "the follower compacted its log");
        foreach (var file in Directory.GetFiles(cluster.DataDirectory(follower), SqliteKvStore.FileName + "*")) File.Delete(file);
        cluster.Restart(follower);
        Assert.That(client.Execute(client.NextCommand(KvOperation.Append, "x", "b"), Deadline())?.Value, Is.EqualTo(new string('a', 30) + "b"));
        InProcessCluster.WaitUntil(() => cluster[follower.Value].Metrics?.CommitIndex == cluster[leader.Value].Metrics?.CommitIndex, 10, "the restarted follower to catch up");

        var restarted = cluster[follower.Value];
        Assert.That(restarted.Faulted.IsCompleted, Is.False, restarted.Faulted.IsCompleted ? restarted.Faulted.Result.ToString() : "");
        var directories = NodeId.Range(3).Select(cluster.DataDirectory).ToArray();
        foreach (var host in cluster.Hosts) host.Dispose();
        AssertStoresHoldTheCommittedLog(directories);
        using var store = SqliteKvStore.Open(cluster.DataDirectory(follower));
        Assert.That(store.Get("x"), Is.EqualTo(new string('a', 30) + "b"));
    }

    [Test]
    public void A_cut_off_follower_receives_the_database_by_InstallSnapshot_and_every_input_replays()
    {
        using var cluster = new InProcessCluster(3, new RaftOptions { MaxSnapshotChunkBytes = 4096 }, snapshotEveryEntries: 10, createHost: SqliteHost);
        var leader = cluster.WaitForLeader();
        var follower = NodeId.Range(3).First(id => id != leader);
        foreach (var peer in NodeId.Range(3).Where(id => id != follower)) cluster[follower.Value].Block(peer);
        using (var client = cluster.Client(3))
        {
            for (var i = 0; i < 40; i++)
                Assert.That(client.Execute(client.NextCommand(KvOperation.Append, $"k{i % 4}", $"{i};"), Deadline()), Is.Not.Null);
        }

        cluster[follower.Value].UnblockAll();
        InProcessCluster.WaitUntil(() =>
            cluster[follower.Value].Metrics is { } f && cluster[leader.Value].Metrics is { } l &&
            f.CommitIndex == l.CommitIndex && f.CommittedDigest == l.CommittedDigest, 20, "the follower to catch up");
        var directories = NodeId.Range(3).Select(cluster.DataDirectory).ToArray();
        foreach (var host in cluster.Hosts) host.Dispose();

        var report = AssertStoresHoldTheCommittedLog(directories);
        Assert.That(report.ParityMismatches, Is.Zero, report.FirstMismatch);
        var followerInputs = Directory.GetFiles(cluster.DataDirectory(follower), "inputs-*.ndjson")
            .SelectMany(path => InputLog.Read(path)?.Inputs ?? []).Select(r => r.Input).ToList();
        Assert.That(followerInputs.OfType<Raft.Core.Inputs.Receive>().Count(r => r.Message is Raft.Core.Messages.InstallSnapshot), Is.GreaterThan(1), "chunks received");
        using var store = SqliteKvStore.Open(cluster.DataDirectory(follower));
        Assert.That(store.Get("k0"), Is.EqualTo(string.Concat(Enumerable.Range(0, 10).Select(i => $"{i * 4};"))));
    }

    [Test]
    public void The_store_check_finds_a_database_that_differs_from_the_committed_log_or_runs_ahead_of_it()
    {
        var root = Path.Combine(Path.GetTempPath(), $"raft-storecheck-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            var committed = Enumerable.Range(1, 3).ToDictionary(i => (long)i, i => Append(i, i));
            Fill(Path.Combine(root, "good"), committed.Values);
            Fill(Path.Combine(root, "other"), [Append(1, 1), Append(2, 2), Append(3, 4)]); // another command at index 3
            Fill(Path.Combine(root, "ahead"), [.. committed.Values, Append(4, 4)]);
            var nodes = new[] { (new NodeId(1), "good"), (new NodeId(2), "other"), (new NodeId(3), "ahead") }.Select(n => (n.Item1, Path.Combine(root, n.Item2)));

            var lines = StoreCheck.Check(nodes, committed, out var mismatches);

            Assert.That(mismatches, Is.EqualTo(2));
            Assert.That(lines, Has.One.Contains("n1: applied 3, equal"));
            Assert.That(lines, Has.One.Contains("n2: applied 3, DIFFERS"));
            Assert.That(lines, Has.One.Contains("n3: applied 4, but entry 4 is not known committed"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Every node's database equals the committed log (as the replay of the input logs found it) up to its last applied entry.</summary>
    private static RealRunChecker.Report AssertStoresHoldTheCommittedLog(string[] directories)
    {
        var report = RealRunChecker.Check(directories, keepCommittedEntries: true);
        var lines = StoreCheck.Check(directories.Select((d, i) => (new NodeId(i + 1), d)), report.CommittedEntries, out var mismatches);
        Assert.That(mismatches, Is.Zero, string.Join("\n", lines));
        Assert.That(lines, Has.Count.EqualTo(3));
        return report;
    }

    private static LogEntry Append(long index, long sequence) =>
        new(index, 1, EntryKind.Command, new KvCommand(1, sequence, KvOperation.Append, "x", $"{sequence};").Encode());

    private static void Fill(string directory, IEnumerable<LogEntry> entries)
    {
        using var store = SqliteKvStore.Open(directory);
        foreach (var entry in entries) store.Apply(entry);
    }

    private static DateTime Deadline() => DateTime.UtcNow + TimeSpan.FromSeconds(10);
}
