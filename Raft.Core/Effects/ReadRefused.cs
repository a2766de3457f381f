using Raft.Core.Node;

namespace Raft.Core.Effects;

/// <summary>The read <see cref="RequestId"/> cannot be served here; <see cref="LeaderHint"/> says where to try.</summary>
public sealed record ReadRefused(long RequestId, ReadRefusal Reason, NodeId? LeaderHint) : Effect
{
    public override string ToString() => $"read #{RequestId} refused ({Reason}), try {LeaderHint?.ToString() ?? "?"}";
}
