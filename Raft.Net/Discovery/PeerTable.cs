using Raft.Core;

namespace Raft.Net.Discovery;

/// <summary>
/// What a server knows of its peers: each one's addresses, and when it last announced itself
/// directly. Addresses come from two sources: a peer's own announcement, which always wins (a
/// server restarted at another address moves), and the peer lists that others gossip, which only
/// fill in servers not known yet (hearsay never overrides what a peer said itself). Liveness counts
/// only direct announcements: a dead server's address may go on being gossiped, but nobody hears
/// it. Time is a parameter (time since discovery started), so the rules are tested without a clock.
/// </summary>
public sealed class PeerTable
{
    private readonly PeerAddress self;
    private readonly SortedDictionary<NodeId, PeerAddress> addresses = [];
    private readonly SortedDictionary<NodeId, TimeSpan> lastHeard = [];

    public PeerTable(PeerAddress self) => this.self = self;

    /// <summary>Every peer whose address is known (this server not included), by id.</summary>
    public IReadOnlyDictionary<NodeId, PeerAddress> Known => addresses;

    /// <summary>
    /// Takes in an announcement of this server's group and cluster, heard at <paramref name="now"/>,
    /// and returns the addresses that are new or moved: the address book must connect to them.
    /// </summary>
    public IReadOnlyList<PeerAddress> Hear(Announcement announcement, TimeSpan now)
    {
        var sender = announcement.Sender;
        if (sender.Id == self.Id) throw new ArgumentException("an announcement of this server's own id is not a peer's", nameof(announcement));
        var changed = new List<PeerAddress>();
        lastHeard[sender.Id] = now;
        if (!addresses.TryGetValue(sender.Id, out var known) || known != sender)
        {
            addresses[sender.Id] = sender;
            if (known?.RaftAddress != sender.RaftAddress) changed.Add(sender);
        }
        foreach (var peer in announcement.Peers)
        {
            if (peer.Id == self.Id || addresses.ContainsKey(peer.Id)) continue;
            addresses[peer.Id] = peer;
            changed.Add(peer);
        }
        return changed;
    }

    /// <summary>
    /// The servers heard from directly within <paramref name="silentAfter"/> before <paramref name="now"/>,
    /// this server included (it hears itself). A server never heard from is silent.
    /// </summary>
    public IReadOnlySet<NodeId> Live(TimeSpan now, TimeSpan silentAfter)
    {
        var live = new SortedSet<NodeId> { self.Id };
        foreach (var (id, heard) in lastHeard)
            if (now - heard < silentAfter) live.Add(id);
        return live;
    }

    /// <summary>The peers to list in this server's own announcement: those heard from lately, so that a dead server stops being gossiped.</summary>
    public IReadOnlyList<PeerAddress> Recent(TimeSpan now, TimeSpan silentAfter) =>
        [.. Live(now, silentAfter).Where(id => id != self.Id).Select(id => addresses[id])];

    /// <summary>The announcement this server sends: itself and the peers it heard from lately.</summary>
    public Announcement Announce(string group, string clusterId, TimeSpan now, TimeSpan silentAfter) =>
        new(group, clusterId, self, Recent(now, silentAfter));
}
