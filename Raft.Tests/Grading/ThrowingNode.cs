using Raft.Core;
using Raft.Core.Inputs;
using Raft.Core.Node;
using Raft.Core.Randomness;
using Raft.Core.Storage;
using Raft.Tests.Support;

namespace Raft.Tests.Grading;

/// <summary>A node that throws an exception the simulator does not expect, on its first input.</summary>
public sealed class ThrowingNode(NodeId id, IReadOnlyList<NodeId> members, RaftOptions options, IRandomSource random, PersistentState persisted, long firstMessageId)
    : WrappedNode(new RaftNode(id, members, options, random, persisted, firstMessageId))
{
    public override Output Step(Input input) => input is Receive ? throw new NotSupportedException("messages are not handled yet") : Inner.Step(input);
}
