using Raft.Core;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Node;
using Raft.Core.Randomness;
using Raft.Core.Storage;

namespace Raft.Tests.Grading;

/// <summary>A node that throws an exception the simulator does not expect, on its first input.</summary>
public sealed class ThrowingNode(NodeId id, IReadOnlyList<NodeId> members, RaftOptions options, IRandomSource random, PersistentState persisted, long firstMessageId) : IRaftNode
{
    private readonly RaftNode inner = new(id, members, options, random, persisted, firstMessageId);

    public NodeId Id => inner.Id;

    public Configuration Configuration => inner.Configuration;

    public Role Role => inner.Role;

    public long Term => inner.Term;

    public NodeId? VotedFor => inner.VotedFor;

    public NodeId? Leader => inner.Leader;

    public long CommitIndex => inner.CommitIndex;

    public long LastApplied => inner.LastApplied;

    public IReadOnlyRaftLog Log => inner.Log;

    public Output Step(Input input) => input is Receive ? throw new NotSupportedException("messages are not handled yet") : inner.Step(input);
}
