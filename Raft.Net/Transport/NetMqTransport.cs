using NetMQ;
using NetMQ.Sockets;
using Raft.Core;
using Raft.Net.Security;
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
/// <para>
/// With Curve (<see cref="CurveCredentials"/>, docs/security.md) the inbox is a Curve server with
/// this node's key pair and each outbox a Curve client that expects its peer's public key, so
/// every link is encrypted and a node talks only to the holder of its peer's secret key. Since a
/// Curve server accepts any client, every message also carries a <see cref="FrameSeal"/> after the
/// identity, <c>[identity][seal][frame]</c> or <c>[identity][seal][marker][announcement]</c>, and
/// the sender is the one the seal proves, not the socket identity (the outboxes set none, so that
/// a stranger claiming a member's identity cannot take over the member's connection either).
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
    private readonly CurveCredentials? curve;
    private readonly FrameSeal? seal;
    private NetMQPoller? poller;

    /// <param name="self">This node.</param>
    /// <param name="addresses">Every member's inbox address (tcp://127.0.0.1:port), this node's included.</param>
    /// <param name="drops">Where to count frames dropped before decoding (a message of another shape than [identity][frame], a seal that fails).</param>
    /// <param name="curve">This node's key pair and the peers' public keys: Curve on every socket and a seal on every message; null for plain TCP.</param>
    public NetMqTransport(NodeId self, IReadOnlyDictionary<NodeId, string> addresses, DropCounter? drops = null, CurveCredentials? curve = null)
    {
        if (curve is not null && curve.Self != self) throw new ArgumentException($"the credentials are {curve.Self}'s, not {self}'s", nameof(curve));
        this.self = self;
        this.drops = drops;
        this.curve = curve;
        seal = curve is null ? null : new FrameSeal(curve);
        inbox = new RouterSocket();
        if (curve is not null)
        {
            inbox.Options.CurveServer = true;
            inbox.Options.CurveCertificate = curve.Certificate;
        }
        inbox.Options.RouterHandover = true; // a restarted peer reconnects under the same identity
        inbox.Options.Linger = TimeSpan.Zero;
        inbox.Options.ReceiveHighWatermark = MaxQueuedFramesPerConnection;
        // A larger frame closes the connection before it is read into memory. NetMQ checks the size on
        // the wire, where Curve wraps each part in a MESSAGE command of CurveMessageOverhead more bytes.
        inbox.Options.MaxMsgSize = WireCodec.MaxFrameBytes + (curve is null ? 0 : CurveMessageOverhead);
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
    /// With Curve, only a peer whose public key is in the book can be added.
    /// </summary>
    public void Connect(NodeId peer, string address)
    {
        if (peer == self) throw new ArgumentException($"{self} cannot connect to itself", nameof(peer));
        byte[]? peerKey = null;
        if (curve is not null && !curve.PublicKeys.TryGetValue(peer, out peerKey))
            throw new ArgumentException($"{peer} has no public key in the address book: with Curve it cannot be a peer", nameof(peer));
        if (addresses.TryGetValue(peer, out var known) && known == address) return;
        if (outboxes.Remove(peer, out var old))
        {
            poller?.Remove(old);
            old.Dispose();
        }
        var dealer = new DealerSocket();
        if (peerKey is not null)
        {
            dealer.Options.CurveCertificate = curve!.Certificate;
            dealer.Options.CurveServerKey = peerKey;
        }
        else
        {
            dealer.Options.Identity = IdentityOf(self);
        }
        dealer.Options.Linger = TimeSpan.Zero;
        dealer.Options.SendHighWatermark = MaxQueuedFramesPerPeer;
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

    /// <summary>Frames not sent because the peer's queue was full, or because it has not answered <see cref="MaxUnansweredBytesPerPeer"/>.</summary>
    public long FramesDroppedAtSend { get; private set; }

    /// <summary>Bytes handed to each peer's socket since a frame last came from that peer.</summary>
    private readonly Dictionary<NodeId, long> unansweredBytes = [];

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
        var unanswered = unansweredBytes.GetValueOrDefault(to);
        if (frame.Length > MaxSmallFrameBytes && unanswered + frame.Length > MaxUnansweredBytesPerPeer)
        {
            FramesDroppedAtSend++; // the peer is down or does not read: queue no more bulk for it
            return false;
        }
        var sent = seal is null
            ? dealer.TrySendFrame(TimeSpan.Zero, frame)
            : dealer.TrySendMultipartMessage(TimeSpan.Zero, Sealed(to, frame));
        if (!sent)
        {
            FramesDroppedAtSend++;
            return false;
        }
        FramesOut++;
        unansweredBytes[to] = unanswered + frame.Length;
        return true;
    }

    /// <summary>Hands an announcement to the peer's socket without waiting; false if dropped or the link is cut.</summary>
    public bool SendAnnouncement(NodeId to, byte[] announcement)
    {
        if (blocked.Contains(to) || !outboxes.TryGetValue(to, out var dealer)) return false;
        return dealer.TrySendMultipartMessage(TimeSpan.Zero, Sealed(to, AnnouncementMarker, announcement));
    }

    /// <summary>The parts of a message, after a seal for <paramref name="to"/> when Curve is on.</summary>
    private NetMQMessage Sealed(NodeId to, params byte[][] parts)
    {
        var message = new NetMQMessage();
        if (seal is not null) message.Append(seal.Seal(to, [.. parts.Select(p => (ReadOnlyMemory<byte>)p)]));
        foreach (var part in parts) message.Append(part);
        return message;
    }

    /// <summary>Cuts the link to and from <paramref name="peer"/> (both directions) until <see cref="Unblock"/>.</summary>
    public void Block(NodeId peer) => blocked.Add(peer);

    public void Unblock(NodeId peer) => blocked.Remove(peer);

    public void UnblockAll() => blocked.Clear();

    private void OnInboxReady(object? sender, NetMQSocketEventArgs e)
    {
        var message = new NetMQMessage();
        var batch = new List<(NodeId?, byte[])>();
        // Bounded by messages read, not frames kept: a flood of refused ones (each costs a MAC with Curve) must not hold the thread.
        for (var read = 0; read < MaxBatch && e.Socket.TryReceiveMultipartMessage(TimeSpan.Zero, ref message); read++)
        {
            if (!TryOpen(message, out var from, out var body)) continue;
            if (IsAnnouncement(message, body))
            {
                // A cut link carries no announcements either, so that discovery sees what Raft sees.
                if (from is not { } announcer || !blocked.Contains(announcer)) AnnouncementReceived?.Invoke(message[body + 1].ToByteArray());
                continue;
            }
            if (message.FrameCount != body + 1)
            {
                drops?.Count(DropReason.Malformed); // not [identity][payload]: not one of ours
                continue;
            }
            if (from is { } peer && blocked.Contains(peer))
            {
                FramesBlocked++;
                continue;
            }
            FramesIn++;
            if (from is { } answering) unansweredBytes[answering] = 0; // it reads: what was queued for it has drained, or is draining
            batch.Add((from, message[body].ToByteArray()));
        }
        if (batch.Count > 0) FramesReceived?.Invoke(batch);
    }

    /// <summary>
    /// Finds the sender of <paramref name="message"/> and where its body starts. Without Curve the
    /// sender is the socket identity (null if it names no server) and the body follows it. With
    /// Curve the seal after the identity must prove the sender, or the message is dropped and counted.
    /// </summary>
    private bool TryOpen(NetMQMessage message, out NodeId? from, out int body)
    {
        if (seal is null)
        {
            (from, body) = (ParseIdentity(message[0].Buffer), 1);
            return true;
        }
        (from, body) = (null, 2);
        if (message.FrameCount < 3)
        {
            drops?.Count(DropReason.BadSeal); // no seal, or nothing under it
            return false;
        }
        var parts = new ReadOnlyMemory<byte>[message.FrameCount - 2];
        for (var i = 0; i < parts.Length; i++) parts[i] = Bytes(message[i + 2]);
        var reason = seal.Open(Bytes(message[1]).Span, parts, out var sender);
        if (reason != DropReason.None)
        {
            drops?.Count(reason);
            return false;
        }
        from = sender;
        return true;
    }

    private static ReadOnlyMemory<byte> Bytes(NetMQFrame frame) => frame.Buffer.AsMemory(0, frame.MessageSize);

    private static bool IsAnnouncement(NetMQMessage message, int body) =>
        message.FrameCount == body + 2 && Bytes(message[body]).Span.SequenceEqual(AnnouncementMarker);

    /// <summary>
    /// Most frames queued for one peer, connected or not: a peer that is down or does not read gets
    /// at most this many (was 10,000); further sends drop and are counted in <see cref="FramesDroppedAtSend"/>.
    /// A leader sends a peer that does not answer one heartbeat, with at most one batch of entries
    /// (MaxBytesPerAppend), per heartbeat period. Not lower: a leader answering a batch of 256 reads
    /// with ReadIndex sends each peer a heartbeat per read at once. Frames are queued, not dropped,
    /// for a peer not yet connected, so that a node's first votes reach peers that come up a moment later.
    /// </summary>
    public const int MaxQueuedFramesPerPeer = 1_000;

    /// <summary>
    /// Most bytes of larger frames sent to a peer that has sent nothing back meanwhile. A live peer
    /// answers every AppendEntries and snapshot chunk, so this is only reached when it is down or
    /// cut off; then entries and chunks (up to <see cref="RaftOptions.MaxBytesPerAppend"/> each) stop
    /// queueing for it, while heartbeats and votes (at most <see cref="MaxSmallFrameBytes"/>) still
    /// do, up to <see cref="MaxQueuedFramesPerPeer"/>. So a dead peer holds at most about
    /// 16 MiB + 1,000 × 4 KiB of this node's memory, not 1,000 × 1 MiB. The leader sends the entries
    /// again once the peer answers, as after any loss.
    /// </summary>
    public const long MaxUnansweredBytesPerPeer = 16L * 1024 * 1024;

    /// <summary>Frames up to this size are never held back by <see cref="MaxUnansweredBytesPerPeer"/>.</summary>
    public const int MaxSmallFrameBytes = 4 * 1024;

    /// <summary>How often an idle link is probed (ZMTP PING) for a peer that still answers.</summary>
    public static readonly TimeSpan LinkHeartbeatInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// A link that has not answered a probe for this long is closed and reconnected. Long enough that
    /// a peer starved of CPU for a moment (a loaded machine, a long GC) keeps its connection.
    /// </summary>
    public static readonly TimeSpan LinkHeartbeatTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Most frames from one connection waiting to be read by the node; beyond it the sender's TCP backs up.</summary>
    public const int MaxQueuedFramesPerConnection = 1_000;

    /// <summary>What Curve adds to each part on the wire: "\x07MESSAGE", an 8-byte nonce, a 16-byte MAC and a flags byte.</summary>
    public const int CurveMessageOverhead = 8 + 8 + 16 + 1;

    /// <summary>Most messages read, and so most frames handed over, in one batch (the rest wait for the next poll).</summary>
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
        seal?.Dispose();
    }

    public override string ToString() => $"{self}: in={FramesIn} out={FramesOut} dropped-at-send={FramesDroppedAtSend} blocked={FramesBlocked}";
}
