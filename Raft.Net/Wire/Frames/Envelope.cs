using MessagePack;

namespace Raft.Net.Wire.Frames;

/// <summary>
/// Wire form of every server-to-server frame: <c>[version, clusterId, sender, body]</c>.
/// Fields are nullable because they come from untrusted bytes; the codec checks them.
/// </summary>
[MessagePackObject]
public sealed class Envelope : IEnvelopeHeader
{
    [Key(0)] public int Version { get; init; }
    [Key(1)] public string? ClusterId { get; init; }
    [Key(2)] public int Sender { get; init; }
    [Key(3)] public PeerBody? Body { get; init; }
}
