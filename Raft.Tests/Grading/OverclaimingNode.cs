using Raft.Core;
using Raft.Core.Node;
using Raft.Tests.Support;

namespace Raft.Tests.Grading;

/// <summary>
/// The reference core, except that a leader says it has committed every entry of its log as soon
/// as it appends it: the commit rule of §5.3 with no majority behind it.
/// </summary>
public sealed class OverclaimingNode(IRaftNode inner) : WrappedNode(inner)
{
    public override long CommitIndex => Role == Role.Leader ? Log.LastIndex : Inner.CommitIndex;
}
