using MessagePack;
using Raft.Core;
using Raft.Core.Membership;

namespace Raft.Net.Discovery;

/// <summary>
/// Encodes announcements as MessagePack and decodes them from untrusted bytes without throwing:
/// anything that is not a well-formed announcement of this version is refused with a reason.
/// Group and cluster are not judged here (see <see cref="PeerDiscovery"/>): the codec only reads.
/// </summary>
public static class AnnouncementCodec
{
    /// <summary>Version of the discovery protocol; announcements of another version are ignored.</summary>
    public const int Version = 1;

    /// <summary>Largest announcement accepted; bounds what one frame can make the decoder allocate.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>Longest group name, cluster id or address accepted.</summary>
    public const int MaxTextLength = 256;

    /// <summary>Most peers listed in one announcement (the largest configuration); gossip spreads the rest over later rounds.</summary>
    public const int MaxPeers = Configuration.MaxMembers;

    private static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    public static byte[] Encode(Announcement announcement)
    {
        ArgumentNullException.ThrowIfNull(announcement);
        var frame = new AnnouncementFrame
        {
            Version = Version, Group = announcement.Group, ClusterId = announcement.ClusterId, Id = announcement.Sender.Id.Value,
            RaftAddress = announcement.Sender.RaftAddress, ClientAddress = announcement.Sender.ClientAddress,
            Peers = [.. announcement.Peers.Take(MaxPeers).Select(p => new PeerAddressFrame { Id = p.Id.Value, RaftAddress = p.RaftAddress, ClientAddress = p.ClientAddress })],
        };
        return MessagePackSerializer.Serialize(frame, Options);
    }

    /// <summary>True with the announcement; false with why the bytes were refused.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> bytes, out Announcement? announcement, out IgnoredAnnouncement reason)
    {
        announcement = null;
        reason = IgnoredAnnouncement.Malformed;
        if (bytes.Length > MaxBytes) return false;
        AnnouncementFrame? frame;
        try
        {
            var reader = new MessagePackReader(bytes);
            if (reader.ReadArrayHeader() < 1) return false;
            if (reader.ReadInt32() != Version)
            {
                reason = IgnoredAnnouncement.WrongVersion;
                return false;
            }
            frame = MessagePackSerializer.Deserialize<AnnouncementFrame>(bytes, Options, out var read);
            if (read != bytes.Length) return false;
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException)
        {
            return false;
        }
        if (frame is null || !IsText(frame.Group) || !IsText(frame.ClusterId) || ToAddress(frame.Id, frame.RaftAddress, frame.ClientAddress) is not { } sender) return false;
        var peers = new List<PeerAddress>();
        foreach (var peer in frame.Peers ?? [])
        {
            if (peers.Count == MaxPeers || peer is null || ToAddress(peer.Id, peer.RaftAddress, peer.ClientAddress) is not { } address) return false;
            peers.Add(address);
        }
        announcement = new Announcement(frame.Group!, frame.ClusterId!, sender, peers);
        return true;
    }

    private static PeerAddress? ToAddress(int id, string? raft, string? client) =>
        id > 0 && IsAddress(raft) && IsAddress(client) ? new PeerAddress(new NodeId(id), raft!, client!) : null;

    private static bool IsText(string? text) => text is { Length: > 0 and <= MaxTextLength };

    private static bool IsAddress(string? text) => IsText(text) && text!.StartsWith("tcp://", StringComparison.Ordinal);
}
