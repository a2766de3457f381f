using MessagePack;

namespace Raft.Net.Wire.Frames;

/// <summary>Union tag 6: <c>[from, to, term, id]</c>.</summary>
[MessagePackObject]
public sealed class TimeoutNowBody : PeerBody
{
}
