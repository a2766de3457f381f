using MessagePack;

namespace Raft.Net.Wire.Frames;

/// <summary>The union of client frames; on the wire <c>[tag, body]</c>. Tags 16 and 17 are never used by server messages.</summary>
[Union(16, typeof(ClientRequestFrame))]
[Union(17, typeof(ClientResponseFrame))]
public abstract class ClientBody
{
    [Key(0)] public long RequestId { get; init; }
}
