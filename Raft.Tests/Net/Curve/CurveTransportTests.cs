using NetMQ;
using NetMQ.Sockets;
using Raft.Core;
using Raft.Core.Messages;
using Raft.Core.StateMachine;
using Raft.Net.Security;
using Raft.Net.Transport;
using Raft.Net.Wire;

namespace Raft.Tests.Net.Curve;

/// <summary>
/// A live cluster with Curve on (docs/security.md): it works as without, and a stranger (no Curve,
/// a key pair of its own naming a server outside the address book or claiming a member, or no seal)
/// is refused, counted, and changes nothing; a member's own key gets through (the control).
/// </summary>
[NonParallelizable]
public sealed class CurveTransportTests
{
    /// <summary>Every stranger's message carries this id; the cores' own ids start at 1,000,000,000.</summary>
    private const long AttackId = 7;
    private const long ControlId = 8;
    private const long NeverSent = 9;
    private const long Far = 1_000_000;

    [Test]
    public void A_cluster_with_Curve_elects_a_leader_and_serves_clients()
    {
        using var nodes = new CurveNodes();
        nodes.WaitForLeader();
        using var client = nodes.Client(1);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);

        Assert.That(client.Execute(client.NextCommand(KvOperation.Put, "x", "1"), deadline)?.Ok, Is.True);
        Assert.That(client.Execute(client.NextCommand(KvOperation.Append, "x", "2"), deadline)?.Value, Is.EqualTo("12"));
        InProcessCluster.WaitUntil(() => nodes.Hosts.Select(h => h.Metrics!.CommitIndex).Distinct().Count() == 1, 15, "every node to commit the same entries");
        Assert.That(nodes.Hosts.Select(h => h.Drops.Total), Has.All.Zero, "members' frames are never refused");
    }

    [Test]
    public void Strangers_are_refused_and_counted_and_cannot_change_a_nodes_state()
    {
        using var nodes = new CurveNodes();
        var leader = nodes.WaitForLeader();
        using (var client = nodes.Client(1))
            Assert.That(client.Execute(client.NextCommand(KvOperation.Put, "before", "1"), DateTime.UtcNow + TimeSpan.FromSeconds(15)), Is.Not.Null);
        var others = NodeId.Range(3).Where(n => n != leader).ToArray();
        var (target, member, outsider) = (others[0], others[1], new NodeId(9));
        var targetKey = KeyFiles.ReadPublicKeys(KeyFiles.PublicKeysPath(nodes.KeyDirectory))[target];
        var term = nodes[target].Metrics!.Term;
        var drops = nodes[target].Drops;
        var (badSeals, unknownKeys) = (drops[DropReason.BadSeal], drops[DropReason.UnknownKey]);
        // Believed, a vote request a thousand terms ahead would make the target a follower of that term at once.
        byte[] Vote(NodeId from) => WireCodec.Encode(new RequestVote(from, target, term + 1000, AttackId, Far, term), CurveNodes.ClusterId);

        // 1. No Curve at all, with a member's identity: the Curve handshake fails, nothing is delivered.
        using var plain = new DealerSocket();
        plain.Options.Identity = NetMqTransport.IdentityOf(member);
        plain.Options.Linger = TimeSpan.Zero;
        plain.Connect(nodes.RaftAddresses[target]);
        plain.TrySendFrame(TimeSpan.FromSeconds(1), Vote(member));

        // 2-4. A key pair of its own: the handshake succeeds (a Curve server takes any client), the seal does not.
        var stranger = new NetMQCertificate();
        using var outsiderSocket = CurveDealer(stranger, targetKey, nodes.RaftAddresses[target]);
        using (var outsiderSeal = SealAs(outsider, stranger, target, targetKey))
            outsiderSocket.SendMultipartMessage(Sealed(outsiderSeal, target, Vote(outsider)));
        using var impostor = CurveDealer(stranger, targetKey, nodes.RaftAddresses[target]);
        using (var impostorSeal = SealAs(member, stranger, target, targetKey))
            impostor.SendMultipartMessage(Sealed(impostorSeal, target, Vote(member)));
        using var unsealed = CurveDealer(stranger, targetKey, nodes.RaftAddresses[target]);
        unsealed.SendFrame(Vote(member));

        InProcessCluster.WaitUntil(() => drops[DropReason.UnknownKey] >= unknownKeys + 1 && drops[DropReason.BadSeal] >= badSeals + 2, 15,
            $"the strangers' frames to be counted (now: {drops.Describe()})");

        // The control: the same path with the member's real key pair is believed, so the refusals above are Curve's doing.
        var real = CurveCredentials.Load(nodes.KeyDirectory, member);
        using var genuine = CurveDealer(real.Certificate, targetKey, nodes.RaftAddresses[target]);
        using (var genuineSeal = new FrameSeal(real))
        {
            var harmless = WireCodec.Encode(new RequestVoteResponse(member, target, term, ControlId, NeverSent, false), CurveNodes.ClusterId);
            genuine.SendMultipartMessage(Sealed(genuineSeal, target, harmless));
        }
        InProcessCluster.WaitUntil(() => nodes.Received(target, ControlId), 15, "the member's own sealed frame to reach the core");

        Assert.That(nodes.Received(target, AttackId), Is.False, "no stranger's frame reached the core");
        Assert.That(nodes[target].Metrics!.Term, Is.LessThan(term + 1000), "no stranger moved the target's term");
        Assert.That(drops[DropReason.UnknownKey] - unknownKeys, Is.EqualTo(1), "the outsider's seal names a server without a key");
        Assert.That(drops[DropReason.BadSeal] - badSeals, Is.EqualTo(2), "the impostor's forged seal and the unsealed frame");
        Assert.That(nodes[target].Metrics!.DroppedByReason, Does.Contain("UnknownKey=1").And.Contain("BadSeal=2"), "the node's metrics show the refusals");
        using (var client = nodes.Client(2))
            Assert.That(client.Execute(client.NextCommand(KvOperation.Put, "after", "1"), DateTime.UtcNow + TimeSpan.FromSeconds(15)), Is.Not.Null, "the cluster still serves");
        Assert.That(nodes.Hosts.Where(h => h.Faulted.IsCompleted), Is.Empty, "no node stopped");
    }

    private static DealerSocket CurveDealer(NetMQCertificate own, byte[] serverKey, string address)
    {
        var dealer = new DealerSocket();
        dealer.Options.CurveCertificate = own;
        dealer.Options.CurveServerKey = serverKey;
        dealer.Options.Linger = TimeSpan.Zero;
        dealer.Connect(address);
        return dealer;
    }

    /// <summary>A seal as <paramref name="claimed"/> would make it, but computed with <paramref name="key"/>, which is not its key.</summary>
    private static FrameSeal SealAs(NodeId claimed, NetMQCertificate key, NodeId to, byte[] toKey) =>
        new(new CurveCredentials(claimed, key, new SortedDictionary<NodeId, byte[]> { [claimed] = key.PublicKey, [to] = toKey }));

    private static NetMQMessage Sealed(FrameSeal seal, NodeId to, byte[] frame)
    {
        var message = new NetMQMessage();
        message.Append(seal.Seal(to, (ReadOnlyMemory<byte>)frame));
        message.Append(frame);
        return message;
    }
}
