using NetMQ;
using Raft.Core;
using Raft.Net.Security;
using Raft.Net.Wire;

namespace Raft.Tests.Net.Curve;

/// <summary>The seal that proves a server-to-server message's sender (Raft.Net/Security/FrameSeal.cs), without sockets.</summary>
public sealed class FrameSealTests
{
    private static readonly NodeId N1 = new(1), N2 = new(2), N3 = new(3);
    private static readonly SortedDictionary<NodeId, NetMQCertificate> Pairs = new() { [N1] = new(), [N2] = new(), [N3] = new() };
    private static readonly SortedDictionary<NodeId, byte[]> Book = new(Pairs.ToDictionary(p => p.Key, p => p.Value.PublicKey));
    private static readonly ReadOnlyMemory<byte> Frame = "an envelope"u8.ToArray();

    private static FrameSeal SealOf(NodeId id) => new(new CurveCredentials(id, Pairs[id], Book));

    [Test]
    public void A_sealed_message_opens_at_its_receiver_and_names_its_sender()
    {
        using var n1 = SealOf(N1);
        using var n2 = SealOf(N2);
        var seal = n1.Seal(N2, Frame);

        Assert.That(n2.Open(seal, [Frame], out var sender), Is.EqualTo(DropReason.None));
        Assert.That(sender, Is.EqualTo(N1));
        Assert.That(n2.Open(n1.Seal(N2, Frame), [Frame], out _), Is.EqualTo(DropReason.None), "the keyed MAC is reused, message after message");
    }

    [Test]
    public void A_seal_is_refused_for_another_message_another_receiver_or_turned_around()
    {
        using var n1 = SealOf(N1);
        using var n2 = SealOf(N2);
        using var n3 = SealOf(N3);
        var seal = n1.Seal(N2, Frame);

        Assert.That(n2.Open(seal, [(ReadOnlyMemory<byte>)"another envelope"u8.ToArray()], out _), Is.EqualTo(DropReason.BadSeal), "another message");
        Assert.That(n2.Open(seal, [Frame, Frame], out _), Is.EqualTo(DropReason.BadSeal), "another number of parts");
        Assert.That(n3.Open(seal, [Frame], out _), Is.EqualTo(DropReason.BadSeal), "redirected to n3");
        var reply = n2.Seal(N1, Frame);
        Assert.That(n1.Open(reply, [Frame], out var sender), Is.EqualTo(DropReason.None));
        Assert.That(sender, Is.EqualTo(N2));
        Assert.That(n2.Open(reply, [Frame], out _), Is.EqualTo(DropReason.UnknownKey), "a seal naming the receiver itself");
    }

    [Test]
    public void A_stranger_cannot_seal_as_a_member_nor_as_a_server_outside_the_book()
    {
        using var n2 = SealOf(N2);
        var stranger = new NetMQCertificate();
        var forgedBook = new SortedDictionary<NodeId, byte[]>(Book) { [N1] = stranger.PublicKey, [new NodeId(9)] = stranger.PublicKey };
        using var impostor = new FrameSeal(new CurveCredentials(N1, stranger, forgedBook));
        using var outsider = new FrameSeal(new CurveCredentials(new NodeId(9), stranger, forgedBook));

        Assert.That(n2.Open(impostor.Seal(N2, Frame), [Frame], out _), Is.EqualTo(DropReason.BadSeal));
        Assert.That(n2.Open(outsider.Seal(N2, Frame), [Frame], out _), Is.EqualTo(DropReason.UnknownKey));
    }

    [Test]
    public void Malformed_seals_are_refused_and_never_throw()
    {
        using var n1 = SealOf(N1);
        using var n2 = SealOf(N2);
        var good = n1.Seal(N2, Frame);
        var random = new Random(16);
        List<byte[]> samples = [[], [1], [1, 2], good[..^1], [.. good, 0], [2, .. good[1..]], [1, 200, .. good[2..]], [1, 0, .. good[^32..]]];
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 80)];
            random.NextBytes(bytes);
            samples.Add(bytes);
            var flipped = (byte[])good.Clone();
            flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
            samples.Add(flipped);
        }

        foreach (var sample in samples)
            Assert.That(n2.Open(sample, [Frame], out _), Is.AnyOf(DropReason.BadSeal, DropReason.UnknownKey), Convert.ToHexString(sample));
    }
}
