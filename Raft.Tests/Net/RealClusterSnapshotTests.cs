using Raft.Core;
using Raft.Core.Inputs;
using Raft.Core.Messages;
using Raft.Core.StateMachine;
using Raft.Net.Parity;

namespace Raft.Tests.Net;

/// <summary>§7 on real nodes: compaction on disk, InstallSnapshot over NetMQ, and replay parity with Compact inputs.</summary>
[NonParallelizable]
public sealed class RealClusterSnapshotTests
{
    [Test]
    public void A_cut_off_follower_is_brought_up_to_date_by_InstallSnapshot_over_NetMQ_and_every_input_replays()
    {
        using var cluster = new InProcessCluster(3, new RaftOptions { MaxSnapshotChunkBytes = 32 }, snapshotEveryEntries: 10);
        var leader = cluster.WaitForLeader();
        var follower = NodeId.Range(3).First(id => id != leader);
        foreach (var peer in NodeId.Range(3).Where(id => id != follower)) cluster[follower.Value].Block(peer);
        using (var client = cluster.Client(3))
        {
            for (var i = 0; i < 40; i++)
                Assert.That(client.Execute(client.NextCommand(KvOperation.Put, $"k{i}", $"v{i}"), DateTime.UtcNow + TimeSpan.FromSeconds(10)), Is.Not.Null);
        }

        cluster[follower.Value].UnblockAll();
        InProcessCluster.WaitUntil(() =>
            cluster[follower.Value].Metrics is { } f && cluster[leader.Value].Metrics is { } l &&
            f.CommitIndex == l.CommitIndex && f.CommittedDigest == l.CommittedDigest, 20, "the follower to catch up");
        var directories = NodeId.Range(3).Select(cluster.DataDirectory).ToArray();
        foreach (var host in cluster.Hosts) host.Dispose();

        var report = RealRunChecker.Check(directories);
        Assert.That(report.ParityMismatches, Is.Zero, report.FirstMismatch);
        Assert.That(report.Safety, Is.Null);
        var followerInputs = Directory.GetFiles(cluster.DataDirectory(follower), "inputs-*.ndjson")
            .SelectMany(path => InputLog.Read(path)?.Inputs ?? []).Select(r => r.Input).ToList();
        Assert.That(followerInputs.OfType<Receive>().Count(r => r.Message is InstallSnapshot), Is.GreaterThan(1), "chunks received");
        Assert.That(File.Exists(Path.Combine(cluster.DataDirectory(leader), "snapshot")), Is.True);
    }
}
