using NetMQ;
using NetMQ.Sockets;
using Raft.Core;
using Raft.Core.StateMachine;
using Raft.Net.Cluster;
using Raft.Net.Hosting;
using Raft.Net.Transport;
using Raft.Net.Wire;

namespace Raft.Tests.Net;

/// <summary>
/// The real node's queues have bounds (docs/bounds.md): at most 1,000 frames, and at most 16 MiB
/// of frames larger than a heartbeat, queue for a peer that is down, and a leader holds at most <see cref="NodeConfig.MaxPendingClientRequests"/>
/// requests unanswered, answering the next ones Busy at once.
/// </summary>
[NonParallelizable]
public sealed class QueueBoundTests
{
    [Test]
    public void At_most_the_bound_of_frames_queue_for_a_peer_that_is_down_and_the_rest_drop_and_are_counted()
    {
        var self = new NodeId(1);
        var dead = new NodeId(2);
        var addresses = new SortedDictionary<NodeId, string>
        {
            [self] = $"tcp://127.0.0.1:{LocalCluster.FreePort()}",
            [dead] = $"tcp://127.0.0.1:{LocalCluster.FreePort()}", // nobody listens here
        };
        using var transport = new NetMqTransport(self, addresses);
        var frame = new byte[NetMqTransport.MaxSmallFrameBytes]; // small enough that only the frame bound holds it
        const int sends = 2 * NetMqTransport.MaxQueuedFramesPerPeer;

        var queued = Enumerable.Range(0, sends).Count(_ => transport.Send(dead, frame));

        Assert.That(queued, Is.InRange(1, NetMqTransport.MaxQueuedFramesPerPeer), "a peer that is down holds at most the bound in memory");
        Assert.That(transport.FramesDroppedAtSend, Is.EqualTo(sends - queued), "each frame not queued is counted");
    }

    [Test]
    public void A_peer_that_sends_nothing_back_gets_at_most_the_byte_bound_of_large_frames_and_small_ones_still_queue()
    {
        var self = new NodeId(1);
        var silent = new NodeId(2);
        var addresses = new SortedDictionary<NodeId, string>
        {
            [self] = $"tcp://127.0.0.1:{LocalCluster.FreePort()}",
            [silent] = $"tcp://127.0.0.1:{LocalCluster.FreePort()}", // nobody listens here
        };
        using var transport = new NetMqTransport(self, addresses);
        var entries = new byte[1024 * 1024]; // an AppendEntries at its byte bound
        var heartbeat = new byte[100];

        var large = Enumerable.Range(0, 100).Count(_ => transport.Send(silent, entries));
        var small = Enumerable.Range(0, 50).Count(_ => transport.Send(silent, heartbeat));

        Assert.That((long)large * entries.Length, Is.LessThanOrEqualTo(NetMqTransport.MaxUnansweredBytesPerPeer), "large frames stop at the byte bound");
        Assert.That(large, Is.EqualTo(NetMqTransport.MaxUnansweredBytesPerPeer / entries.Length), "and take it up to the bound");
        Assert.That(small, Is.EqualTo(50), "heartbeats and votes still queue");
        Assert.That(transport.FramesDroppedAtSend, Is.EqualTo(100 - large));
    }

    [Test]
    public void Once_the_peer_is_heard_from_large_frames_queue_for_it_again()
    {
        var self = new NodeId(1);
        var peer = new NodeId(2);
        var addresses = new SortedDictionary<NodeId, string>
        {
            [self] = $"tcp://127.0.0.1:{LocalCluster.FreePort()}",
            [peer] = $"tcp://127.0.0.1:{LocalCluster.FreePort()}", // its inbox is not up: our frames to it stay queued
        };
        var entries = new byte[1024 * 1024];
        using var transport = new NetMqTransport(self, addresses);
        var received = 0;
        transport.FramesReceived += frames => Interlocked.Add(ref received, frames.Count);
        while (transport.Send(peer, entries)) { } // bounded: the byte bound stops it
        Assert.That(transport.Send(peer, entries), Is.False, "the bound is reached");

        using (var poller = new NetMQPoller())
        using (var fromPeer = new DealerSocket())
        {
            transport.AddTo(poller);
            poller.RunAsync();
            fromPeer.Options.Identity = NetMqTransport.IdentityOf(peer);
            fromPeer.Options.Linger = TimeSpan.Zero;
            fromPeer.Connect(addresses[self]);
            fromPeer.SendFrame([1, 2, 3]); // any frame: the transport hears the peer (the codec judges it later)
            InProcessCluster.WaitUntil(() => Volatile.Read(ref received) > 0, 10, "the frame from the peer to arrive");
            poller.Stop(); // Send runs on the poller's thread in a node: call it only once the poller is stopped
        }

        Assert.That(transport.Send(peer, entries), Is.True, "a peer that answers drains its queue: large frames go again");
    }

    [Test]
    public void A_leader_that_cannot_commit_answers_requests_beyond_its_bound_Busy_at_once_and_the_rest_once_it_can()
    {
        const int bound = 3;
        // Long election timeouts: followers that come back hear the leader before they would campaign.
        using var cluster = new InProcessCluster(3, new RaftOptions { ElectionTicks = 200 },
            createHost: config => new NodeHost(config with { MaxPendingClientRequests = bound }) { Log = _ => { } });
        var leader = cluster.WaitForLeader(seconds: 20);
        var followers = NodeId.Range(3).Where(p => p != leader).ToList();
        foreach (var follower in followers) cluster.Stop(follower); // no majority: nothing commits
        using var socket = new DealerSocket();
        socket.Options.Linger = TimeSpan.Zero;
        socket.Connect(cluster.ClientAddresses[leader]);

        for (var i = 1; i <= bound + 2; i++)
            socket.SendFrame(WireCodec.EncodeClientRequest(new ClientRequest(i, new KvCommand(i, 1, KvOperation.Put, $"k{i}", "v")), cluster.ClusterId));
        var early = Receive(socket, cluster.ClusterId, TimeSpan.FromSeconds(2));

        Assert.That(early.Select(r => (r.RequestId, r.Status)), Is.EqualTo(new[] { (4L, ClientStatus.Busy), (5L, ClientStatus.Busy) }),
            "the requests past the bound are answered Busy; the first ones wait for a majority");

        foreach (var follower in followers) cluster.Restart(follower);
        var late = Receive(socket, cluster.ClusterId, TimeSpan.FromSeconds(10), until: bound);
        Assert.That(late.Select(r => r.RequestId).Order(), Is.EqualTo(new long[] { 1, 2, 3 }), "the pending requests are answered once they commit");
        Assert.That(late.Select(r => r.Status), Is.All.EqualTo(ClientStatus.Ok));
    }

    /// <summary>The answers that arrive within <paramref name="wait"/>, or until <paramref name="until"/> have arrived.</summary>
    private static List<ClientResponse> Receive(DealerSocket socket, string clusterId, TimeSpan wait, int until = int.MaxValue)
    {
        var answers = new List<ClientResponse>();
        var deadline = DateTime.UtcNow + wait;
        while (answers.Count < until && DateTime.UtcNow < deadline)
        {
            var left = TimeSpan.FromMilliseconds(Math.Ceiling((deadline - DateTime.UtcNow).TotalMilliseconds));
            if (left <= TimeSpan.Zero || !socket.TryReceiveFrameBytes(left, out var bytes)) break;
            if (WireCodec.TryDecodeClientResponse(bytes, clusterId, out var response, out _)) answers.Add(response!);
        }
        return answers;
    }
}
