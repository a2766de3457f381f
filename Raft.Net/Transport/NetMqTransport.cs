using NetMQ;
using NetMQ.Sockets;
using Raft.Core;
using Raft.Net.Wire;

namespace Raft.Net.Transport;

/// <summary>
/// Server-to-server frames over NetMQ. Each node binds one RouterSocket (its inbox) and holds one
/// DealerSocket per peer whose identity is this node's id, so the receiving router knows the
/// sender. All sockets belong to one NetMQPoller thread (see <see cref="Hosting.NodeHost"/>); every
/// method here must be called on that thread. Sends never block: a frame that does not fit under
/// the high-water mark is dropped, and Raft's retries make up for it.
/// <para>
/// The address book can grow while the node runs (<see cref="Connect"/>): with discovery, peers are
/// learned from announcements. Announcements travel on the same sockets as Raft frames, told apart
/// by their shape: <c>[identity][<see cref="AnnouncementMarker"/>][announcement]</c>, three frames
/// where a Raft frame has two, so that neither kind can be mistaken for the other.
/// </para>
/// </summary>
public sealed class NetMqTransport : IDisposable
{
    private readonly NodeId self;
    private readonly RouterSocket inbox;
    private readonly DropCounter? drops;
    private readonly SortedDictionary<NodeId, DealerSocket> outboxes = [];
    private readonly SortedDictionary<NodeId, string> addresses = [];
    private readonly SortedSet<NodeId> blocked = [];
    private NetMQPoller? poller;

    /// <param name="self">This node.</param>
    /// <param name="addresses">Every member's inbox address (tcp://127.0.0.1:port), this node's included.</param>
    /// <param name="drops">Where to count frames dropped before decoding (a message of another shape than [identity][frame]).</param>
    public NetMqTransport(NodeId self, IReadOnlyDictionary<NodeId, string> addresses, DropCounter? drops = null)
    {
        this.self = self;
        this.drops = drops;
        inbox = new RouterSocket();
        inbox.Options.RouterHandover = true; // a restarted peer reconnects under the same identity
        inbox.Options.Linger = TimeSpan.Zero;
        inbox.Options.ReceiveHighWatermark = MaxQueuedFramesPerConnection;
        inbox.Options.MaxMsgSize = WireCodec.MaxFrameBytes; // a larger frame closes the connection before it is read into memory
        try
        {
            inbox.Bind(addresses[self]);
        }
        catch
        {
            inbox.Dispose(); // a socket left open here would outlive the node and break NetMQ's shutdown
            throw;
        }
        inbox.ReceiveReady += OnInboxReady;
        foreach (var (peer, address) in addresses.OrderBy(a => a.Key))
        {
            if (peer != self) Connect(peer, address);
        }
    }

    /// <summary>The middle frame that marks a discovery announcement (see the class summary).</summary>
    public static readonly byte[] AnnouncementMarker = "raft-discovery"u8.ToArray();

    /// <summary>
    /// Adds <paramref name="peer"/> to the address book, or moves it to a new address (a server
    /// restarted elsewhere). A socket added once the poller runs joins it at once. On the poller thread.
    /// </summary>
    public void Connect(NodeId peer, string address)
    {
        if (peer == self) throw new ArgumentException($"{self} cannot connect to itself", nameof(peer));
        if (addresses.TryGetValue(peer, out var known) && known == address) return;
        if (outboxes.Remove(peer, out var old))
        {
            poller?.Remove(old);
            old.Dispose();
        }
        var dealer = new DealerSocket();
        dealer.Options.Identity = IdentityOf(self);
        dealer.Options.Linger = TimeSpan.Zero;
        dealer.Options.SendHighWatermark = MaxQueuedFramesPerPeer;
        dealer.Options.DelayAttachOnConnect = true; // nothing queues for a peer that is not connected: sends to it drop at once
        dealer.Options.ReconnectInterval = TimeSpan.FromMilliseconds(50);
        dealer.Options.ReconnectIntervalMax = TimeSpan.FromMilliseconds(500);
        // A link whose packets vanish (a partition in the network, not a closed socket) is noticed
        // within the heartbeat timeout and reconnected, rather than left to TCP's retransmission
        // back-off, which can keep a healed link silent for seconds.
        dealer.Options.HeartbeatInterval = LinkHeartbeatInterval;
        dealer.Options.HeartbeatTimeout = LinkHeartbeatTimeout;
        dealer.Connect(address);
        outboxes[peer] = dealer;
        addresses[peer] = address;
        poller?.Add(dealer);
    }

    /// <summary>Whether frames from <paramref name="server"/> are accepted: this node or a peer in the address book.</summary>
    public bool Knows(NodeId server) => server == self || outboxes.ContainsKey(server);

    /// <summary>The peers in the address book and their addresses (this node not included).</summary>
    public IReadOnlyDictionary<NodeId, string> Peers => addresses;

    /// <summary>
    /// Frames that arrived together, each with its sender as named by its socket identity (the codec
    /// checks the envelope too). Handing them over together lets the host sync the disk once for all.
    /// </summary>
    public event Action<IReadOnlyList<(NodeId? From, byte[] Frame)>>? FramesReceived;

    /// <summary>
    /// A discovery announcement arrived. Its sender's socket identity is not passed on: a server
    /// reached through a join contact announces before it knows whom it talks to, from a socket
    /// without an identity, so the announcement itself says who sent it.
    /// </summary>
    public event Action<byte[]>? AnnouncementReceived;

    public long FramesIn { get; private set; }

    public long FramesOut { get; private set; }

    /// <summary>Frames not sent because the peer's queue was full.</summary>
    public long FramesDroppedAtSend { get; private set; }

    /// <summary>Frames discarded because the link was cut by the operator (fault injection).</summary>
    public long FramesBlocked { get; private set; }

    public void AddTo(NetMQPoller poller)
    {
        this.poller = poller;
        poller.Add(inbox);
        foreach (var dealer in outboxes.Values) poller.Add(dealer);
    }

    /// <summary>Hands a frame to the peer's socket without waiting; false if dropped.</summary>
    public bool Send(NodeId to, byte[] frame)
    {
        if (blocked.Contains(to))
        {
            FramesBlocked++;
            return false;
        }
        if (!outboxes.TryGetValue(to, out var dealer)) return false;
        if (!dealer.TrySendFrame(TimeSpan.Zero, frame))
        {
            FramesDroppedAtSend++;
            return false;
        }
        FramesOut++;
        return true;
    }

    /// <summary>Hands an announcement to the peer's socket without waiting; false if dropped or the link is cut.</summary>
    public bool SendAnnouncement(NodeId to, byte[] announcement)
    {
        if (blocked.Contains(to) || !outboxes.TryGetValue(to, out var dealer)) return false;
        var message = new NetMQMessage();
        message.Append(AnnouncementMarker);
        message.Append(announcement);
        return dealer.TrySendMultipartMessage(TimeSpan.Zero, message);
    }

    /// <summary>Cuts the link to and from <paramref name="peer"/> (both directions) until <see cref="Unblock"/>.</summary>
    public void Block(NodeId peer) => blocked.Add(peer);

    public void Unblock(NodeId peer) => blocked.Remove(peer);

    public void UnblockAll() => blocked.Clear();

    private void OnInboxReady(object? sender, NetMQSocketEventArgs e)
    {
        var message = new NetMQMessage();
        var batch = new List<(NodeId?, byte[])>();
        while (batch.Count < MaxBatch && e.Socket.TryReceiveMultipartMessage(TimeSpan.Zero, ref message))
        {
            if (IsAnnouncement(message))
            {
                // A cut link carries no announcements either, so that discovery sees what Raft sees.
                if (ParseIdentity(message[0].Buffer) is not { } announcer || !blocked.Contains(announcer)) AnnouncementReceived?.Invoke(message[2].ToByteArray());
                continue;
            }
            if (message.FrameCount != 2)
            {
                drops?.Count(DropReason.Malformed); // not [identity][payload]: not one of ours
                continue;
            }
            var from = ParseIdentity(message[0].Buffer);
            if (from is { } peer && blocked.Contains(peer))
            {
                FramesBlocked++;
                continue;
            }
            FramesIn++;
            batch.Add((from, message[1].ToByteArray()));
        }
        if (batch.Count > 0) FramesReceived?.Invoke(batch);
    }

    private static bool IsAnnouncement(NetMQMessage message) =>
        message.FrameCount == 3 && message[1].Buffer.AsSpan(0, message[1].MessageSize).SequenceEqual(AnnouncementMarker);

    /// <summary>
    /// Most frames queued for one connected peer that does not read them (a stopped or overloaded
    /// process); further sends drop and are counted in <see cref="FramesDroppedAtSend"/>. A peer
    /// that is not connected queues nothing. Raft's own flow control keeps a reading peer's queue
    /// far below this (a few AppendEntries in flight and a heartbeat per period).
    /// </summary>
    public const int MaxQueuedFramesPerPeer = 1_000;

    /// <summary>How often an idle link is probed (ZMTP PING) for a peer that still answers.</summary>
    public static readonly TimeSpan LinkHeartbeatInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>A link that has not answered a probe for this long is closed and reconnected.</summary>
    public static readonly TimeSpan LinkHeartbeatTimeout = TimeSpan.FromMilliseconds(300);

    /// <summary>Most frames from one connection waiting to be read by the node; beyond it the sender's TCP backs up.</summary>
    public const int MaxQueuedFramesPerConnection = 1_000;

    /// <summary>Most frames handed over in one batch (the rest wait for the next poll).</summary>
    public const int MaxBatch = 256;

    public static byte[] IdentityOf(NodeId id) => System.Text.Encoding.ASCII.GetBytes(id.ToString());

    private static NodeId? ParseIdentity(byte[] identity)
    {
        var text = System.Text.Encoding.ASCII.GetString(identity);
        return NodeId.TryParse(text, out var id) ? id : null;
    }

    public void Dispose()
    {
        inbox.Dispose();
        foreach (var dealer in outboxes.Values) dealer.Dispose();
        outboxes.Clear();
    }

    public override string ToString() => $"{self}: in={FramesIn} out={FramesOut} dropped-at-send={FramesDroppedAtSend} blocked={FramesBlocked}";
}
