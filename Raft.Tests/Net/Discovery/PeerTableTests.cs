using Raft.Core;
using Raft.Net.Discovery;

namespace Raft.Tests.Net.Discovery;

/// <summary>What a server learns from announcements: addresses (its peers' own word first) and who is live.</summary>
public sealed class PeerTableTests
{
    private static readonly TimeSpan Silent = TimeSpan.FromSeconds(3);

    private static PeerAddress Address(int id, int port) => new(new NodeId(id), $"tcp://127.0.0.1:{port}", $"tcp://127.0.0.1:{port + 1000}");

    private static Announcement From(PeerAddress sender, params PeerAddress[] peers) => new("raft", "c", sender, peers);

    [Test]
    public void A_server_heard_for_the_first_time_and_the_peers_it_lists_are_new_addresses()
    {
        var table = new PeerTable(Address(1, 7001));

        var changed = table.Hear(From(Address(2, 7002), Address(3, 7003), Address(1, 7001)), TimeSpan.Zero);

        Assert.That(changed, Is.EqualTo(new[] { Address(2, 7002), Address(3, 7003) }), "this server is never its own peer");
        Assert.That(table.Known.Keys, Is.EqualTo(new[] { new NodeId(2), new NodeId(3) }));
    }

    [Test]
    public void Gossip_never_overrides_what_a_server_said_of_itself_but_its_own_word_moves_it()
    {
        var table = new PeerTable(Address(1, 7001));
        table.Hear(From(Address(2, 7002)), TimeSpan.Zero);

        Assert.That(table.Hear(From(Address(3, 7003), Address(2, 9999)), TimeSpan.Zero), Is.EqualTo(new[] { Address(3, 7003) }));
        Assert.That(table.Known[new NodeId(2)], Is.EqualTo(Address(2, 7002)));
        Assert.That(table.Hear(From(Address(2, 7102)), TimeSpan.Zero), Is.EqualTo(new[] { Address(2, 7102) }), "restarted elsewhere");
        Assert.That(table.Hear(From(Address(2, 7102)), TimeSpan.Zero), Is.Empty);
    }

    [Test]
    public void Only_servers_heard_directly_within_the_timeout_are_live_and_gossiped()
    {
        var table = new PeerTable(Address(1, 7001));
        table.Hear(From(Address(2, 7002), Address(3, 7003)), TimeSpan.Zero);
        table.Hear(From(Address(3, 7003)), TimeSpan.FromSeconds(2));

        Assert.That(table.Live(TimeSpan.FromSeconds(2.9), Silent), Is.EqualTo(new[] { new NodeId(1), new NodeId(2), new NodeId(3) }));
        Assert.That(table.Live(TimeSpan.FromSeconds(3), Silent), Is.EqualTo(new[] { new NodeId(1), new NodeId(3) }), "n2 silent for 3 s");
        Assert.That(table.Announce("raft", "c", TimeSpan.FromSeconds(3), Silent).Peers, Is.EqualTo(new[] { Address(3, 7003) }));
    }

    [Test]
    public void An_announcement_of_the_servers_own_id_is_not_a_peers()
    {
        var table = new PeerTable(Address(1, 7001));

        Assert.That(() => table.Hear(From(Address(1, 7999)), TimeSpan.Zero), Throws.ArgumentException);
    }
}
