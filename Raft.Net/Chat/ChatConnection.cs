using NetMQ;
using NetMQ.Sockets;
using Raft.Core;
using Raft.Core.StateMachine;
using Raft.Net.Wire;

namespace Raft.Net.Chat;

/// <summary>
/// A chat's line to the cluster over the client protocol (docs/wire-format.md), with the retry
/// rules of <see cref="Cluster.KvClient"/>: send to the node believed to lead, follow "not leader"
/// hints, and after a timeout try the next node with the same (clientId, sequence), so that a
/// retried write is applied once. Unlike KvClient it never gives up on a command until cancelled
/// (a chat line must not be dropped, nor sent again under a new sequence number while the first
/// may still commit), and it tells the status line which node answered (the leader, as this client
/// sees it: only a leader answers Ok) and whether it is retrying. One thread only (NetMQ sockets
/// are single-threaded); <see cref="State"/> and <see cref="Answered"/> may be read from any.
/// </summary>
public sealed class ChatConnection : IDisposable
{
    private readonly long clientId;
    private readonly IReadOnlyDictionary<NodeId, string> addresses;
    private readonly string clusterId;
    private readonly SortedDictionary<NodeId, DealerSocket> sockets = [];
    private readonly NodeId[] nodes;
    private long sequence;
    private long nextRequestId = 1;
    private NodeId target;
    private volatile int state = (int)ChatConnectionState.Connecting;
    private volatile int answered;

    /// <param name="clientId">Unique among the cluster's clients (a random 62-bit number will do).</param>
    /// <param name="clientAddresses">The client address of every node, by node id (leader hints are node ids).</param>
    /// <param name="clusterId">The cluster's id on the wire.</param>
    public ChatConnection(long clientId, IReadOnlyDictionary<NodeId, string> clientAddresses, string clusterId)
    {
        if (clientAddresses.Count == 0) throw new ArgumentException("no node to talk to", nameof(clientAddresses));
        this.clientId = clientId;
        addresses = clientAddresses;
        this.clusterId = clusterId;
        nodes = [.. clientAddresses.Keys.Order()];
        target = nodes[(int)(clientId % nodes.Length)];
    }

    /// <summary>How long one attempt waits for its answer before trying the next node.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    public ChatConnectionState State => (ChatConnectionState)state;

    /// <summary>The node that gave the last Ok answer, the leader as far as this client knows; null before the first.</summary>
    public NodeId? Answered => answered == 0 ? null : new NodeId(answered);

    /// <summary>
    /// <see cref="State"/> or <see cref="Answered"/> changed; raised on the connection's thread,
    /// once per change (not once per retry).
    /// </summary>
    public event Action? Changed;

    /// <summary>The next command of this client (its sequence number is consumed).</summary>
    public KvCommand NextCommand(KvOperation operation, string key, string? value = null, string? expected = null) =>
        new(clientId, ++sequence, operation, key, value, expected);

    /// <summary>
    /// Sends <paramref name="command"/> until a node answers Ok (its result), Rejected (null, and
    /// <see cref="State"/> says so) or <paramref name="cancel"/> fires (null: the outcome of a
    /// write is then unknown).
    /// </summary>
    public KvResult? Execute(KvCommand command, CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested)
        {
            var requestId = nextRequestId++;
            var socket = SocketFor(target);
            if (!socket.TrySendFrame(TimeSpan.FromMilliseconds(100), WireCodec.EncodeClientRequest(new ClientRequest(requestId, command), clusterId)))
            {
                Retry(); // no connection to this node (yet)
                continue;
            }
            switch (AwaitResponse(socket, requestId, DateTime.UtcNow + AttemptTimeout, cancel))
            {
                case null:
                    Retry(); // timed out: the node may be down or cut off
                    break;
                case { Status: ClientStatus.Ok } response:
                    Become(ChatConnectionState.Connected, target);
                    return response.Result;
                case { Status: ClientStatus.Rejected }:
                    Become(ChatConnectionState.Rejected, Answered);
                    return null;
                case { LeaderHint: { } hint } when addresses.ContainsKey(hint) && hint != target:
                    target = hint;
                    break;
                default:
                    Retry();
                    cancel.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(20)); // no leader known yet: give the election a moment
                    break;
            }
        }
        return null;
    }

    private void Become(ChatConnectionState next, NodeId? node)
    {
        if ((int)next == state && (node?.Value ?? 0) == answered) return;
        state = (int)next;
        answered = node?.Value ?? 0;
        Changed?.Invoke();
    }

    private void Retry()
    {
        Become(ChatConnectionState.Retrying, Answered);
        target = nodes[(Array.IndexOf(nodes, target) + 1) % nodes.Length];
    }

    private ClientResponse? AwaitResponse(DealerSocket socket, long requestId, DateTime until, CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested)
        {
            var left = until - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return null;
            // Wake now and then to notice a cancellation. Whole milliseconds, at least one: NetMQ
            // truncates the timeout to milliseconds, and a wait under 1 ms becomes a blocking
            // receive with no deadline, which spins until a frame comes (from a dead node, never).
            var wait = TimeSpan.FromMilliseconds(Math.Ceiling((left < PollSlice ? left : PollSlice).TotalMilliseconds));
            if (!socket.TryReceiveFrameBytes(wait, out var bytes)) continue;
            if (WireCodec.TryDecodeClientResponse(bytes, clusterId, out var response, out _) && response!.RequestId == requestId) return response;
            // A late answer to an earlier attempt: ignore it.
        }
        return null;
    }

    private static readonly TimeSpan PollSlice = TimeSpan.FromMilliseconds(50);

    private DealerSocket SocketFor(NodeId node)
    {
        if (!sockets.TryGetValue(node, out var socket))
        {
            socket = new DealerSocket();
            socket.Options.Linger = TimeSpan.Zero;
            socket.Connect(addresses[node]);
            sockets[node] = socket;
        }
        return socket;
    }

    public void Dispose()
    {
        foreach (var socket in sockets.Values) socket.Dispose();
        sockets.Clear();
    }
}
