using NetMQ;
using NetMQ.Sockets;
using Raft.Core;
using Raft.Core.StateMachine;
using Raft.Net.Wire;

namespace Raft.Net.Cluster;

/// <summary>
/// A blocking key-value client for a real cluster: sends to the node it believes leads, follows
/// "not leader" hints, retries on timeout at the next node with the same (clientId, sequence) so
/// a retried command is applied once. One client per thread (NetMQ sockets are single-threaded).
/// </summary>
public sealed class KvClient : IDisposable
{
    private readonly long clientId;
    private readonly IReadOnlyDictionary<NodeId, string> addresses;
    private readonly string clusterId;
    private readonly SortedDictionary<NodeId, DealerSocket> sockets = [];
    private readonly NodeId[] nodes;
    private long sequence;
    private long nextRequestId = 1;
    private NodeId target;

    public KvClient(long clientId, IReadOnlyDictionary<NodeId, string> clientAddresses, string clusterId)
    {
        this.clientId = clientId;
        addresses = clientAddresses;
        this.clusterId = clusterId;
        nodes = clientAddresses.Keys.Order().ToArray();
        target = nodes[(int)(clientId % nodes.Length)];
    }

    public long ClientId => clientId;

    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    public long Attempts { get; private set; }

    /// <summary>Busy answers received (the node was overloaded or transferring leadership).</summary>
    public long Busy { get; private set; }

    /// <summary>Whether the last <see cref="Execute"/> ended with a Rejected answer (an invalid or stale command: retrying cannot help).</summary>
    public bool Rejected { get; private set; }

    /// <summary>The next command this client would send (its sequence number is consumed).</summary>
    public KvCommand NextCommand(KvOperation operation, string key, string? value = null, string? expected = null) =>
        new(clientId, ++sequence, operation, key, value, expected);

    /// <summary>Sends <paramref name="command"/> until it is answered or <paramref name="deadline"/> passes (then null); null at once if it is Rejected.</summary>
    public KvResult? Execute(KvCommand command, DateTime deadline)
    {
        Rejected = false;
        while (DateTime.UtcNow < deadline)
        {
            Attempts++;
            var requestId = nextRequestId++;
            var socket = SocketFor(target);
            var request = new ClientRequest(requestId, command);
            if (!socket.TrySendFrame(TimeSpan.FromMilliseconds(100), WireCodec.EncodeClientRequest(request, clusterId)))
            {
                NextTarget();
                continue;
            }
            var response = AwaitResponse(socket, requestId, Min(DateTime.UtcNow + AttemptTimeout, deadline));
            switch (response)
            {
                case null:
                    NextTarget(); // timed out: the node may be down or partitioned
                    break;
                case { Status: ClientStatus.Ok }:
                    return response.Result;
                case { Status: ClientStatus.Rejected }:
                    Rejected = true; // docs/wire-format.md: invalid, or older than this client's last applied write
                    return null;
                case { Status: ClientStatus.Busy }:
                    Busy++;
                    Thread.Sleep(20); // overloaded or handing leadership over: the same node, shortly
                    break;
                default:
                    if (response.LeaderHint is { } hint && addresses.ContainsKey(hint) && hint != target) target = hint;
                    else
                    {
                        NextTarget();
                        Thread.Sleep(20); // no leader known yet: give the election a moment
                    }
                    break;
            }
        }
        return null;
    }

    private ClientResponse? AwaitResponse(DealerSocket socket, long requestId, DateTime until)
    {
        while (true)
        {
            var left = until - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return null;
            // Whole milliseconds: NetMQ spins without a deadline on a wait below one millisecond.
            if (!socket.TryReceiveFrameBytes(TimeSpan.FromMilliseconds(Math.Ceiling(left.TotalMilliseconds)), out var bytes)) return null;
            if (WireCodec.TryDecodeClientResponse(bytes, clusterId, out var response, out _) && response!.RequestId == requestId) return response;
            // A late answer to an earlier attempt: ignore it.
        }
    }

    private DealerSocket SocketFor(NodeId node)
    {
        if (!sockets.TryGetValue(node, out var socket))
        {
            socket = new DealerSocket();
            socket.Options.Linger = TimeSpan.Zero;
            socket.Options.HeartbeatInterval = Transport.NetMqTransport.LinkHeartbeatInterval; // a silently dead link is replaced, as between servers
            socket.Options.HeartbeatTimeout = Transport.NetMqTransport.LinkHeartbeatTimeout;
            socket.Connect(addresses[node]);
            sockets[node] = socket;
        }
        return socket;
    }

    private void NextTarget() => target = nodes[(Array.IndexOf(nodes, target) + 1) % nodes.Length];

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    public void Dispose()
    {
        foreach (var socket in sockets.Values) socket.Dispose();
        sockets.Clear();
    }
}
