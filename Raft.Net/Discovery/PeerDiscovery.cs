using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using NetMQ;
using NetMQ.Sockets;
using Raft.Core;
using Raft.Core.Inputs;
using Raft.Core.Node;
using Raft.Net.Transport;

namespace Raft.Net.Discovery;

/// <summary>
/// Servers that find each other without a static address book, and a leader that takes them into
/// the configuration, and out again, through the log.
/// <para>
/// <b>Announcing and learning.</b> Every <see cref="DiscoveryOptions.AnnounceInterval"/> a server sends
/// an <see cref="Announcement"/> (its id, group, cluster id, Raft and client addresses, and the peers
/// it heard from lately) to every peer in its address book and to each join contact. Announcements
/// ride on the Raft sockets (<see cref="NetMqTransport.AnnouncementMarker"/>), so discovery needs no
/// port of its own and a contact is simply some server's Raft address. A receiver of the same group
/// and cluster adds the sender, and the peers it lists, to its address book and connects to them;
/// on hearing a server for the first time it answers at once, so a newcomer learns the whole
/// cluster from one contact in one round trip (gossip). This works wherever TCP does: on loopback,
/// across routed networks, in containers. On a LAN where UDP broadcast works, a
/// <see cref="NetMQBeacon"/> (<see cref="DiscoveryOptions.BeaconPort"/>) broadcasts the server's own
/// announcement too, so no contact is needed there (the beacon cannot carry the peer list: a beacon
/// frame holds at most 255 bytes; direct announcements then spread it).
/// </para>
/// <para>
/// <b>Membership.</b> Only the leader changes membership, one server at a time through the log, by
/// the rule of <see cref="DiscoveredMembership"/>: live non-members are added as voters (joining as
/// learners and promoted once caught up, §4.2.1), members silent for
/// <see cref="DiscoveryOptions.SilentAfter"/> are removed, within safe limits. A removed server that
/// comes back announces itself again and is added again. The first server of a cluster is started
/// with <c>--bootstrap</c> (a one-voter configuration); every other one starts with none and can only
/// join through a leader, so one bootstrap makes one cluster (see README.md).
/// </para>
/// Everything here runs on the node's poller thread, through <c>guard</c> (the host's fail-stop wrapper).
/// </summary>
public sealed class PeerDiscovery : IDisposable
{
    private readonly DiscoveryOptions options;
    private readonly PeerAddress self;
    private readonly string clusterId;
    private readonly NetMqTransport transport;
    private readonly RaftNode core;
    private readonly Func<ChangeMembership, ProposeOutcome?> changeMembership;
    private readonly Action<string, string> log;
    private readonly PeerTable table;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly List<DealerSocket> contacts = [];
    private readonly NetMQTimer timer;
    private readonly NetMQBeacon? beacon;
    private readonly long[] ignored = new long[Enum.GetValues<IgnoredAnnouncement>().Length];

    /// <param name="options">Group, contacts, timing.</param>
    /// <param name="self">This server's addresses, as announced.</param>
    /// <param name="clusterId">This server's cluster id; announcements of another are ignored.</param>
    /// <param name="transport">The Raft sockets: announcements travel on them and learned peers join their address book.</param>
    /// <param name="core">Read for the role and the configuration (on the poller thread).</param>
    /// <param name="changeMembership">Steps a membership change through the host, as the operator's <c>add</c> and <c>remove</c> do.</param>
    /// <param name="log">Writes a structured log line: event kind, then the JSON fields.</param>
    /// <param name="guard">Runs a poller callback under the host's fail-stop rule.</param>
    public PeerDiscovery(DiscoveryOptions options, PeerAddress self, string clusterId, NetMqTransport transport, RaftNode core,
        Func<ChangeMembership, ProposeOutcome?> changeMembership, Action<string, string> log, Action<Action> guard)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(guard);
        this.options = options;
        this.self = self;
        this.clusterId = clusterId;
        this.transport = transport;
        this.core = core;
        this.changeMembership = changeMembership;
        this.log = log;
        table = new PeerTable(self);
        foreach (var address in options.Contacts.Where(a => a != self.RaftAddress).Distinct())
        {
            var contact = new DealerSocket(); // no identity: the contact does not know us yet, the announcement says who we are
            contact.Options.Linger = TimeSpan.Zero;
            contact.Options.SendHighWatermark = 4; // a contact that is down gets only a few stale announcements when it comes up
            contact.Options.ReconnectInterval = TimeSpan.FromMilliseconds(50);
            contact.Options.ReconnectIntervalMax = TimeSpan.FromMilliseconds(500);
            contact.Connect(address);
            contacts.Add(contact);
        }
        transport.AnnouncementReceived += bytes => guard(() => OnAnnouncement(bytes));
        timer = new NetMQTimer(options.AnnounceInterval);
        timer.Elapsed += (_, _) => guard(OnTimer);
        if (options.BeaconPort > 0)
        {
            beacon = new NetMQBeacon();
            beacon.ConfigureAllInterfaces(options.BeaconPort);
            var own = AnnouncementCodec.Encode(new Announcement(options.Group, clusterId, self, []));
            if (own.Length <= BeaconFrameMaxBytes) beacon.Publish(own, options.AnnounceInterval);
            else log("discovery-beacon", $"\"error\":\"announcement of {own.Length} bytes does not fit a beacon frame ({BeaconFrameMaxBytes})\"");
            beacon.Subscribe("");
            beacon.ReceiveReady += (_, _) => guard(OnBeaconReady);
        }
    }

    /// <summary>Largest frame a NetMQ beacon sends (UDP, one datagram).</summary>
    public const int BeaconFrameMaxBytes = 255;

    /// <summary>Announcements ignored so far for <paramref name="reason"/>. Thread-safe.</summary>
    public long Ignored(IgnoredAnnouncement reason) => Interlocked.Read(ref ignored[(int)reason]);

    public void AddTo(NetMQPoller poller)
    {
        ArgumentNullException.ThrowIfNull(poller);
        poller.Add(timer);
        foreach (var contact in contacts) poller.Add(contact);
        if (beacon is not null) poller.Add(beacon);
        log("discovery", $"\"group\":\"{Json(options.Group)}\",\"contacts\":\"{Json(string.Join(",", options.Contacts))}\",\"beacon\":{options.BeaconPort},\"silentAfterMs\":{(long)options.SilentAfter.TotalMilliseconds}");
    }

    private TimeSpan Now => clock.Elapsed;

    private void OnTimer()
    {
        var announcement = AnnouncementCodec.Encode(table.Announce(options.Group, clusterId, Now, options.SilentAfter));
        foreach (var peer in transport.Peers.Keys) transport.SendAnnouncement(peer, announcement);
        foreach (var contact in contacts)
        {
            var message = new NetMQMessage();
            message.Append(NetMqTransport.AnnouncementMarker);
            message.Append(announcement);
            contact.TrySendMultipartMessage(TimeSpan.Zero, message);
        }
        MaybeChangeMembership();
        WarnIfAlone();
    }

    private bool warnedAlone;

    /// <summary>
    /// A server that has heard from nobody for a silence period (a join contact that is wrong or
    /// down, or a beacon that reaches no one) says so once, in a log line an operator can act on;
    /// it keeps announcing, so it joins as soon as a contact answers.
    /// </summary>
    private void WarnIfAlone()
    {
        if (warnedAlone || Now < options.SilentAfter || table.Live(Now, TimeSpan.MaxValue).Count > 1 || (contacts.Count == 0 && beacon is null)) return;
        warnedAlone = true;
        var how = contacts.Count > 0 ? $"the join contact(s) {string.Join(", ", options.Contacts)}" : $"the beacon on UDP port {options.BeaconPort}";
        var hint = $"no server answered through {how}: check the addresses, the group and the cluster id; still trying";
        log("discovery-alone", $"\"afterMs\":{(long)Now.TotalMilliseconds},\"hint\":\"{Json(hint)}\"");
    }

    private void OnBeaconReady()
    {
        for (var n = 0; n < NetMqTransport.MaxBatch && beacon!.TryReceive(TimeSpan.Zero, out var message); n++) OnAnnouncement(message.Bytes);
    }

    private void OnAnnouncement(byte[] bytes)
    {
        if (!AnnouncementCodec.TryDecode(bytes, out var announcement, out var reason))
        {
            Ignore(reason, null);
            return;
        }
        var sender = announcement!.Sender;
        if (announcement.Group != options.Group) Ignore(IgnoredAnnouncement.OtherGroup, announcement);
        else if (announcement.ClusterId != clusterId) Ignore(IgnoredAnnouncement.OtherCluster, announcement);
        else if (sender.Id == self.Id && sender.RaftAddress != self.RaftAddress) Ignore(IgnoredAnnouncement.SameId, announcement);
        else if (sender.Id != self.Id) Learn(announcement); // our own, echoed by the beacon, teaches nothing
    }

    private void Learn(Announcement announcement)
    {
        var firstHeard = !table.Live(Now, options.SilentAfter).Contains(announcement.Sender.Id);
        foreach (var peer in table.Hear(announcement, Now))
        {
            var moved = transport.Peers.TryGetValue(peer.Id, out var was) && was != peer.RaftAddress;
            transport.Connect(peer.Id, peer.RaftAddress);
            log(moved ? "peer-moved" : "peer-found", $"\"peer\":\"{peer.Id}\",\"raft\":\"{Json(peer.RaftAddress)}\",\"client\":\"{Json(peer.ClientAddress)}\",\"via\":\"{(peer == announcement.Sender ? "itself" : announcement.Sender.Id.ToString())}\"");
        }
        // Answer a server heard for the first time (or again after a silence) at once: it learns us, and our peers, a round sooner.
        if (firstHeard) transport.SendAnnouncement(announcement.Sender.Id, AnnouncementCodec.Encode(table.Announce(options.Group, clusterId, Now, options.SilentAfter)));
    }

    /// <summary>Leader only, one change at a time: see <see cref="DiscoveredMembership"/>.</summary>
    private void MaybeChangeMembership()
    {
        if (core.Role != Role.Leader || core.ConfigurationIndex > core.CommitIndex) return;
        var live = new SortedSet<NodeId>(table.Live(Now, options.SilentAfter));
        // Members count as heard when discovery started: none is removed before it had the time to announce itself.
        if (Now < options.SilentAfter) live.UnionWith(core.Configuration.Members);
        if (DiscoveredMembership.NextChange(self.Id, core.Configuration, live, options.MinVoters) is not { } change) return;
        var outcome = changeMembership(change);
        // LeaderNotReady: a new leader has not yet committed an entry of its term (§4.1); the next round tries again.
        if (outcome is { Refusal: ProposeRefusal.LeaderNotReady }) return;
        log("membership-change", $"\"change\":\"{change}\",\"accepted\":{(outcome?.Accepted == true ? "true" : "false")},\"index\":{outcome?.Index ?? 0},\"refusal\":\"{outcome?.Refusal}\"");
    }

    /// <summary>Counts an ignored announcement; logs the first of each reason and every 100th after it, so a noisy neighbour cannot flood the log.</summary>
    private void Ignore(IgnoredAnnouncement reason, Announcement? announcement)
    {
        var count = Interlocked.Increment(ref ignored[(int)reason]);
        if (count != 1 && count % 100 != 0) return;
        var from = announcement is null ? "" : $",\"from\":\"{announcement.Sender.Id}\",\"group\":\"{Json(announcement.Group)}\",\"cluster\":\"{Json(announcement.ClusterId)}\",\"raft\":\"{Json(announcement.Sender.RaftAddress)}\"";
        log("discovery-ignored", $"\"reason\":\"{reason}\",\"count\":{count}{from}");
    }

    private static string Json(string text) => JsonEncodedText.Encode(text, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString();

    /// <summary>Call once the poller has stopped (NetMQ needs sockets disposed after their poller).</summary>
    public void Dispose()
    {
        timer.Enable = false;
        foreach (var contact in contacts) contact.Dispose();
        contacts.Clear();
        beacon?.Dispose();
    }
}
