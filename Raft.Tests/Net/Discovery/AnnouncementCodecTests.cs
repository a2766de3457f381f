using MessagePack;
using Raft.Core;
using Raft.Net.Discovery;

namespace Raft.Tests.Net.Discovery;

/// <summary>Announcements come from the network: decoding refuses with a reason, never throws.</summary>
public sealed class AnnouncementCodecTests
{
    private static readonly Announcement Sample = new("raft", "local-1",
        new PeerAddress(new NodeId(2), "tcp://127.0.0.1:27102", "tcp://127.0.0.1:28102"),
        [new PeerAddress(new NodeId(1), "tcp://127.0.0.1:27101", "tcp://127.0.0.1:28101")]);

    [Test]
    public void An_announcement_reads_back_as_it_was_written()
    {
        Assert.That(AnnouncementCodec.TryDecode(AnnouncementCodec.Encode(Sample), out var read, out _), Is.True);
        Assert.That(read!.ToString(), Is.EqualTo(Sample.ToString()));
        Assert.That(read.Peers, Is.EqualTo(Sample.Peers));
    }

    [Test]
    public void Bytes_that_are_not_an_announcement_are_refused_as_malformed()
    {
        foreach (var bytes in new[] { Array.Empty<byte>(), [0xc1], [0x91, 0x01], AnnouncementCodec.Encode(Sample)[..^3], [.. AnnouncementCodec.Encode(Sample), 0] })
        {
            Assert.That(AnnouncementCodec.TryDecode(bytes, out var read, out var reason), Is.False);
            Assert.That((read, reason), Is.EqualTo(((Announcement?)null, IgnoredAnnouncement.Malformed)));
        }
    }

    [Test]
    public void An_address_that_is_not_tcp_or_an_id_that_is_not_positive_is_refused()
    {
        var badAddress = Sample with { Sender = Sample.Sender with { RaftAddress = "udp://127.0.0.1:1" } };
        var badPeer = Sample with { Peers = [Sample.Peers[0] with { Id = new NodeId(0) }] };

        Assert.That(AnnouncementCodec.TryDecode(AnnouncementCodec.Encode(badAddress), out _, out var reason), Is.False);
        Assert.That(reason, Is.EqualTo(IgnoredAnnouncement.Malformed));
        Assert.That(AnnouncementCodec.TryDecode(AnnouncementCodec.Encode(badPeer), out _, out _), Is.False);
    }

    [Test]
    public void Another_version_of_the_protocol_is_refused_as_such()
    {
        var frame = new AnnouncementFrame { Version = AnnouncementCodec.Version + 1, Group = "raft", ClusterId = "c", Id = 1, RaftAddress = "tcp://a:1", ClientAddress = "tcp://a:2" };

        Assert.That(AnnouncementCodec.TryDecode(MessagePackSerializer.Serialize(frame), out _, out var reason), Is.False);
        Assert.That(reason, Is.EqualTo(IgnoredAnnouncement.WrongVersion));
    }

    [Test]
    public void A_servers_own_announcement_fits_in_one_beacon_frame()
    {
        var own = Sample with { Group = "a-rather-long-group-name", ClusterId = "production-cluster-eu-west", Peers = [] };

        Assert.That(AnnouncementCodec.Encode(own), Has.Length.LessThanOrEqualTo(PeerDiscovery.BeaconFrameMaxBytes));
    }
}
