namespace Raft.Net.Discovery;

/// <summary>How a server finds its peers (see <see cref="PeerDiscovery"/>).</summary>
public sealed record DiscoveryOptions
{
    /// <summary>Servers listen only to announcements of their own group (and cluster id): separate clusters can share a network or a contact.</summary>
    public string Group { get; init; } = "raft";

    /// <summary>Raft addresses (tcp://host:port) of servers to announce to before any peer is known: the join contacts.</summary>
    public IReadOnlyList<string> Contacts { get; init; } = [];

    /// <summary>How often a server announces itself to every peer it knows and to its contacts.</summary>
    public TimeSpan AnnounceInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A member not heard from for this long is removed through the log by the leader (within the limits of <see cref="DiscoveredMembership"/>).</summary>
    public TimeSpan SilentAfter { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>UDP port of the NetMQ beacon (LAN broadcast); 0 turns the beacon off.</summary>
    public int BeaconPort { get; init; }

    /// <summary>The leader never removes a voter when fewer than this many would remain.</summary>
    public int MinVoters { get; init; } = DiscoveredMembership.DefaultMinVoters;
}
