using Raft.Core;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Node;
using Raft.Core.Randomness;
using Raft.Core.Storage;

namespace Raft.Tests.Grading;

/// <summary>A student's node that does nothing yet: it has the contract's constructor and returns no effects.</summary>
public sealed class IdleNode(NodeId id, IReadOnlyList<NodeId> members, RaftOptions options, IRandomSource random, PersistentState persisted, long firstMessageId) : IRaftNode
{
    private readonly RaftLog log = new();

    public NodeId Id => id;

    public Configuration Configuration { get; } = new(members);

    public Role Role => Role.Follower;

    public long Term => persisted.HardState.Term;

    public NodeId? VotedFor => persisted.HardState.VotedFor;

    public NodeId? Leader => null;

    public long CommitIndex => 0;

    public long LastApplied => 0;

    public IReadOnlyRaftLog Log => log;

    /// <summary>Kept only to show the constructor's parameters are the contract's.</summary>
    public (RaftOptions Options, IRandomSource Random, long FirstMessageId) Given => (options, random, firstMessageId);

    public Output Step(Input input) => Output.None;
}
