using NetMQ;
using NetMQ.Sockets;
using Raft.Core;
using Raft.Core.Log;
using Raft.Core.Messages;
using Raft.Core.StateMachine;
using Raft.Net.Wire;

namespace Raft.Tests.Net;

[NonParallelizable]
public sealed class LiveNodeFuzzTests
{
    /// <summary>Frames per run: RAFT_FUZZ_FRAMES, default 100,000.</summary>
    private static int Frames =>
        int.TryParse(Environment.GetEnvironmentVariable("RAFT_FUZZ_FRAMES"), out var n) && n > 0 ? n : 100_000;

    [Test]
    public void A_live_node_survives_random_and_mutated_frames_counts_the_drops_and_keeps_serving()
    {
        using var cluster = new InProcessCluster(3);
        var leader = cluster.WaitForLeader();
        var victim = NodeId.Range(3).First(n => n != leader);
        var victimHost = cluster[victim.Value];

        var valid = WireCodec.Encode(new AppendEntries(leader, victim, 0, 1, 0, 0,
            [new LogEntry(1, 0, EntryKind.Command, [1, 2, 3])], 0), cluster.ClusterId);
        var random = new Random(12345);
        using (var attacker = new DealerSocket())
        {
            // Not a member's identity: a socket under a member's identity would take over that
            // member's connection to the victim (RouterHandover) and cut it off (docs/fuzzing.md).
            attacker.Options.Identity = "attacker"u8.ToArray();
            attacker.Options.SendHighWatermark = 1_000_000;
            attacker.Connect(RaftAddressOf(cluster, victim));
            for (var i = 0; i < Frames; i++)
                attacker.SendFrame(i % 2 == 0 ? RandomBytes(random) : Raft.Net.Fuzz.ProtocolFrameGenerator.Mutate(valid, random));
            InProcessCluster.WaitUntil(() => victimHost.Drops.Total >= Frames * 0.9, 60, "the node to read and drop the frames");
        }

        Assert.That(victimHost.Metrics, Is.Not.Null);
        using var client = cluster.Client(3);
        var result = client.Execute(client.NextCommand(KvOperation.Put, "after-fuzz", "ok"), DateTime.UtcNow + TimeSpan.FromSeconds(15));
        Assert.That(result?.Ok, Is.True, "the cluster still serves clients");
        InProcessCluster.WaitUntil(() => victimHost.Metrics!.CommitIndex >= cluster[leader.Value].Metrics!.CommitIndex, 10, "the fuzzed node to keep replicating");
        TestContext.Out.WriteLine($"drops by reason: {string.Join(", ", victimHost.Drops.Snapshot().Where(kv => kv.Value > 0).Select(kv => $"{kv.Key}={kv.Value}"))}");
    }

    private static string RaftAddressOf(InProcessCluster cluster, NodeId node) => cluster.RaftAddress(node);

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 200)];
        random.NextBytes(bytes);
        return bytes;
    }
}
