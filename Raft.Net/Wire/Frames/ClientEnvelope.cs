using MessagePack;

namespace Raft.Net.Wire.Frames;

/// <summary>
/// Wire form of every client frame: <c>[version, clusterId, body]</c>. Three fields where a server
/// envelope has four, and union tags that no server message uses, so a frame sent to the wrong
/// endpoint is refused as malformed rather than misread.
/// </summary>
[MessagePackObject]
public sealed class ClientEnvelope : IEnvelopeHeader
{
    [Key(0)] public int Version { get; init; }
    [Key(1)] public string? ClusterId { get; init; }
    [Key(2)] public ClientBody? Body { get; init; }
}
