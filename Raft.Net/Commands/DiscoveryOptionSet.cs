using System.CommandLine;
using System.CommandLine.Parsing;
using Raft.Core;
using Raft.Net.Discovery;

namespace Raft.Net.Commands;

/// <summary>
/// The options of <c>raft-net node</c> that turn on peer discovery (<see cref="PeerDiscovery"/>), kept
/// apart from the node's other options: <c>--discover</c>, <c>--group</c>, <c>--raft-address</c>,
/// <c>--bootstrap</c>, <c>--announce-interval</c>, <c>--silent-after</c>, <c>--beacon-port</c>. The join
/// contacts are the value of the node's <c>--join</c>.
/// </summary>
internal sealed class DiscoveryOptionSet
{
    public Option<bool> Discover { get; } = new("--discover")
    {
        Description = "Find peers at run time (announcements to --join contacts and to known peers, or a LAN beacon) instead of a static --peers list; the leader adds and removes servers through the log.",
    };

    public Option<string> Group { get; } = new("--group") { Description = "With --discover: only servers of this group (and cluster id) are heard.", DefaultValueFactory = _ => "raft" };

    public Option<string?> RaftAddress { get; } = new("--raft-address") { Description = "With --discover: this server's own server-to-server address, e.g. tcp://127.0.0.1:7001 (or give it in --peers)." };

    public Option<bool> Bootstrap { get; } = new("--bootstrap")
    {
        Description = "With --discover: start a new cluster with this server as its only voter. Give it to exactly one server, once per cluster; the others join.",
    };

    public Option<string> AnnounceInterval { get; } = new("--announce-interval") { Description = "With --discover: how often a server announces itself, e.g. 200ms.", DefaultValueFactory = _ => DefaultAnnounceInterval };

    public Option<string> SilentAfter { get; } = new("--silent-after") { Description = "With --discover: the leader removes a member not heard from for this long, e.g. 3s.", DefaultValueFactory = _ => DefaultSilentAfter };

    public Option<int> BeaconPort { get; } = new("--beacon-port") { Description = "With --discover: also announce by UDP broadcast (NetMQ beacon) on this port, for a LAN without contacts; 0 = off." };

    private const string DefaultAnnounceInterval = "200ms", DefaultSilentAfter = "3s";

    public IEnumerable<Option> All => [Discover, Group, RaftAddress, Bootstrap, AnnounceInterval, SilentAfter, BeaconPort];

    /// <summary>Checks the discovery options against the node's <paramref name="id"/>, <paramref name="peers"/>, <paramref name="members"/> and <paramref name="join"/>.</summary>
    public void Validate(CommandResult result, Option<int> id, Option<string?> peers, Option<string?> members, Option<string?> join)
    {
        var discover = result.GetValue(Discover);
        var contacts = result.GetValue(join);
        if (!discover)
        {
            if (result.GetValue(peers) is null) result.AddError("--peers is required (or --discover)");
            if (contacts is not null) result.AddError("--join ADDRESS needs --discover (without --discover, --join takes no value)");
            if (result.GetValue(Bootstrap) || result.GetValue(RaftAddress) is not null || result.GetValue(BeaconPort) != 0)
                result.AddError("--bootstrap, --raft-address and --beacon-port need --discover");
            return;
        }
        var own = result.GetValue(RaftAddress);
        if (own is not null && !own.StartsWith("tcp://", StringComparison.Ordinal)) result.AddError($"--raft-address: '{own}' is not an address like tcp://127.0.0.1:7001");
        var book = result.GetValue(peers) is { } p ? NodeCommand.ParsePeers(p) : null;
        if (own is null && book?.ContainsKey(new NodeId(result.GetValue(id))) != true) result.AddError("--discover needs this server's address: --raft-address tcp://HOST:PORT");
        if (contacts is not null && ParseContacts(contacts) is null) result.AddError($"--join: '{contacts}' is not a list like tcp://127.0.0.1:7001,tcp://127.0.0.1:7002");
        if (result.GetValue(Bootstrap) && (result.GetResult(join) is not null || result.GetValue(members) is not null))
            result.AddError("--bootstrap excludes --join and --members: a bootstrapped server starts the cluster, the others join it");
        // A validator may see an option left out as null rather than as its default.
        var announce = ClusterCommand.ParseSpan(result.GetValue(AnnounceInterval) ?? DefaultAnnounceInterval);
        var silent = ClusterCommand.ParseSpan(result.GetValue(SilentAfter) ?? DefaultSilentAfter);
        if (announce is not { } a || a <= TimeSpan.Zero) result.AddError("--announce-interval: not a duration like 200ms");
        else if (silent is not { } s || s < 3 * a) result.AddError("--silent-after: a duration like 3s, at least 3 announce intervals (a lost announcement must not remove a server)");
        if (result.GetValue(BeaconPort) is < 0 or > 65535) result.AddError("--beacon-port must be a UDP port (1-65535) or 0");
    }

    /// <summary>The discovery options, or null without <c>--discover</c>.</summary>
    public DiscoveryOptions? Read(ParseResult parse, Option<string?> join)
    {
        if (!parse.GetValue(Discover)) return null;
        return new DiscoveryOptions
        {
            Group = parse.GetValue(Group)!,
            Contacts = parse.GetValue(join) is { } contacts ? ParseContacts(contacts)! : [],
            AnnounceInterval = ClusterCommand.ParseSpan(parse.GetValue(AnnounceInterval)!)!.Value,
            SilentAfter = ClusterCommand.ParseSpan(parse.GetValue(SilentAfter)!)!.Value,
            BeaconPort = parse.GetValue(BeaconPort),
        };
    }

    /// <summary>
    /// The voters a discovering server starts with: itself alone with <c>--bootstrap</c>, else those
    /// of <c>--members</c>, else none (it waits to be added by a leader: never a second cluster).
    /// </summary>
    public static IReadOnlyList<NodeId> InitialVoters(NodeId self, bool bootstrap, IReadOnlyList<NodeId>? members) =>
        bootstrap ? [self] : members ?? [];

    /// <summary>Raft addresses such as <c>tcp://10.0.0.1:7001,tcp://10.0.0.2:7001</c>; null when malformed or empty.</summary>
    public static IReadOnlyList<string>? ParseContacts(string text)
    {
        var contacts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return contacts.Length > 0 && contacts.All(c => c.StartsWith("tcp://", StringComparison.Ordinal) && c.Length > 6) ? contacts : null;
    }
}
