using System.Buffers;
using MessagePack;
using NetMQ;
using NetMQ.Sockets;
using Raft.Core.StateMachine;
using Raft.Net.Wire;

namespace Raft.Tests.Net;

/// <summary>
/// The client protocol as docs/wire-format.md states it, on a live node: every request that is a
/// well-formed envelope gets an answer (an invalid one: Rejected, echoing its request id), a REQ
/// socket works like a DEALER, a message of another shape is dropped and counted, a write older
/// than the client's last applied one is Rejected, and a get ignores its sequence number.
/// </summary>
[NonParallelizable]
public sealed class ClientProtocolTests
{
    /// <summary>A client request written field by field, so that it can break the rules: <c>[1, cluster, [16, [...]]]</c>.</summary>
    private static byte[] RawRequest(string clusterId, long requestId, long clientId, long sequence, int operation, string? key, string? value, string? expected = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(3);
        writer.Write(1);
        writer.Write(clusterId);
        writer.WriteArrayHeader(2);
        writer.Write(16);
        writer.WriteArrayHeader(7);
        writer.Write(requestId);
        writer.Write(clientId);
        writer.Write(sequence);
        writer.Write(operation);
        Write(ref writer, key);
        Write(ref writer, value);
        Write(ref writer, expected);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(ref MessagePackWriter writer, string? text)
    {
        if (text is null) writer.WriteNil();
        else writer.Write(text);
    }

    private static ClientResponse? Ask(NetMQSocket socket, byte[] request, string clusterId, double seconds = 5)
    {
        socket.SendFrame(request);
        if (!socket.TryReceiveFrameBytes(TimeSpan.FromSeconds(seconds), out var bytes)) return null;
        Assert.That(WireCodec.TryDecodeClientResponse(bytes, clusterId, out var response, out var reason), $"the answer decodes ({reason})");
        return response;
    }

    private static DealerSocket Dealer(InProcessCluster cluster, Raft.Core.NodeId node)
    {
        var socket = new DealerSocket();
        socket.Options.Linger = TimeSpan.Zero;
        socket.Connect(cluster.ClientAddresses[node]);
        return socket;
    }

    [Test]
    public void Every_invalid_request_is_answered_Rejected_with_its_request_id()
    {
        using var cluster = new InProcessCluster(1);
        var leader = cluster.WaitForLeader();
        var host = cluster[leader.Value];
        using var socket = Dealer(cluster, leader);
        var id = cluster.ClusterId;
        var invalid = new (string What, byte[] Frame)[]
        {
            ("a put without a value", RawRequest(id, 11, 5, 1, 1, "k", null)),
            ("an unknown operation", RawRequest(id, 12, 5, 1, 9, "k", "v")),
            ("a nil key", RawRequest(id, 13, 5, 1, 0, null, null)),
            ("a negative client id", RawRequest(id, 14, -5, 1, 1, "k", "v")),
            ("a negative sequence", RawRequest(id, 15, 5, -1, 1, "k", "v")),
            ("a compare-and-set without its new value", RawRequest(id, 16, 5, 1, 3, "k", null, "old")),
        };
        foreach (var (what, frame) in invalid)
        {
            var response = Ask(socket, frame, id);
            Assert.That(response, Is.Not.Null, $"{what}: no answer");
            Assert.That(response!.Status, Is.EqualTo(ClientStatus.Rejected), what);
            Assert.That(response.RequestId, Is.EqualTo(WireCodecRequestId(frame)), what);
        }
        Assert.That(host.Drops[DropReason.Invalid], Is.EqualTo(invalid.Length), "each is still counted as an invalid frame");

        // A negative request id cannot be echoed in a valid answer: that one alone gets none, and is counted.
        Assert.That(Ask(socket, RawRequest(id, -1, 5, 1, 1, "k", "v"), id, seconds: 0.5), Is.Null);
        Assert.That(host.Drops[DropReason.Invalid], Is.EqualTo(invalid.Length + 1));
        // A frame of another cluster gets no answer either (it is not ours to answer), and is counted.
        Assert.That(Ask(socket, RawRequest("another", 20, 5, 1, 1, "k", "v"), id, seconds: 0.5), Is.Null);
        Assert.That(host.Drops[DropReason.WrongCluster], Is.EqualTo(1));
        Assert.That(host.Metrics!.DroppedByReason, Does.Contain("Invalid=7").And.Contain("WrongCluster=1"), "status shows the drops by reason");
    }

    private static long WireCodecRequestId(byte[] frame)
    {
        var reader = new MessagePackReader(frame);
        reader.ReadArrayHeader();
        reader.Skip();
        reader.Skip();
        reader.ReadArrayHeader();
        reader.Skip();
        reader.ReadArrayHeader();
        return reader.ReadInt64();
    }

    [Test]
    public void A_REQ_socket_is_answered_and_a_message_of_another_shape_is_dropped_and_counted()
    {
        using var cluster = new InProcessCluster(1);
        var leader = cluster.WaitForLeader();
        var host = cluster[leader.Value];
        var id = cluster.ClusterId;
        using (var req = new RequestSocket())
        {
            req.Options.Linger = TimeSpan.Zero;
            req.Connect(cluster.ClientAddresses[leader]);
            var response = Ask(req, WireCodec.EncodeClientRequest(new ClientRequest(1, new KvCommand(7, 1, KvOperation.Put, "k", "v")), id), id);
            Assert.That(response?.Status, Is.EqualTo(ClientStatus.Ok), "a standard REQ socket gets its answer");
            Assert.That(response!.Result!.Value, Is.EqualTo("v"));
        }
        using var dealer = Dealer(cluster, leader);
        var valid = WireCodec.EncodeClientRequest(new ClientRequest(2, new KvCommand(7, 2, KvOperation.Get, "k", null)), id);
        dealer.SendMoreFrame(valid).SendFrame(valid); // two parts: not one request
        Assert.That(dealer.TryReceiveFrameBytes(TimeSpan.FromMilliseconds(500), out _), Is.False, "no answer to a multi-part message");
        InProcessCluster.WaitUntil(() => host.Drops[DropReason.Malformed] == 1, 5, "the multi-part message to be counted");
        Assert.That(Ask(dealer, valid, id)?.Result?.Value, Is.EqualTo("v"), "the node still serves the client");
    }

    [TestCase(true, TestName = "Sequence_rules_with_ReadIndex_reads")]
    [TestCase(false, TestName = "Sequence_rules_with_reads_through_the_log")]
    public void A_write_older_than_the_last_applied_is_Rejected_and_a_get_ignores_its_sequence(bool readIndex)
    {
        using var cluster = new InProcessCluster(1, createHost: config => new Raft.Net.Hosting.NodeHost(config with { ReadIndexReads = readIndex }) { Log = _ => { } });
        var leader = cluster.WaitForLeader();
        using var socket = Dealer(cluster, leader);
        var id = cluster.ClusterId;
        ClientResponse? Send(long request, long sequence, KvOperation operation, string? value = null) =>
            Ask(socket, WireCodec.EncodeClientRequest(new ClientRequest(request, new KvCommand(9, sequence, operation, "k", value)), id), id);

        Assert.That(Send(1, 1, KvOperation.Put, "a")?.Result?.Value, Is.EqualTo("a"));
        Assert.That(Send(2, 3, KvOperation.Append, "b")?.Result?.Value, Is.EqualTo("ab"), "a gap in sequence numbers is accepted");
        Assert.That(Send(3, 3, KvOperation.Append, "b")?.Result?.Value, Is.EqualTo("ab"), "a retry (same sequence) is applied once and gets the same answer");
        Assert.That(Send(4, 2, KvOperation.Put, "x")?.Status, Is.EqualTo(ClientStatus.Rejected), "older than the last applied write: its result is gone");
        Assert.That(Send(5, 0, KvOperation.Get)?.Result?.Value, Is.EqualTo("ab"), "a get's sequence is ignored");
        Assert.That(Send(6, 0, KvOperation.Get)?.Result?.Value, Is.EqualTo("ab"));
        Assert.That(Send(7, 4, KvOperation.Append, "c")?.Result?.Value, Is.EqualTo("abc"), "gets did not touch the client's session");

        // The C# client stops at a Rejected answer instead of retrying until its deadline.
        using var client = cluster.Client(9);
        Assert.That(client.Execute(new KvCommand(9, 1, KvOperation.Put, "k", "stale"), DateTime.UtcNow + TimeSpan.FromSeconds(20)), Is.Null);
        Assert.That(client.Rejected, Is.True);
        Assert.That(client.Attempts, Is.EqualTo(1), "it gave up at the answer, not at the deadline");
    }
}
