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
/// The real node's queues have bounds (docs/bounds.md): nothing queues for a peer that is not
/// connected, and a leader holds at most <see cref="NodeConfig.MaxPendingClientRequests"/>
/// requests unanswered, answering the next ones Busy at once.
/// </summary>
[NonParallelizable]
public sealed class QueueBoundTests
{
    [Test]
    public void Frames_for_a_peer_that_is_not_connected_drop_at_once_instead_of_queueing()
    {
        var self = new NodeId(1);
        var dead = new NodeId(2);
        var addresses = new SortedDictionary<NodeId, string>
        {
            [self] = $"tcp://127.0.0.1:{LocalCluster.FreePort()}",
            [dead] = $"tcp://127.0.0.1:{LocalCluster.FreePort()}", // nobody listens here
        };
        using var transport = new NetMqTransport(self, addresses);
        var frame = new byte[64 * 1024];

        var queued = Enumerable.Range(0, 2 * NetMqTransport.MaxQueuedFramesPerPeer).Count(_ => transport.Send(dead, frame));

        Assert.That(queued, Is.Zero, "a frame for a peer that is down must not wait in memory for it");
        Assert.That(transport.FramesDroppedAtSend, Is.EqualTo(2 * NetMqTransport.MaxQueuedFramesPerPeer), "each dropped frame is counted");
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
