using Raft.Core;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Node;
using Raft.Core.Randomness;
using Raft.Core.Storage;

namespace Raft.Tests.Grading;

/// <summary>A node class whose constructor is not the contract's.</summary>
public sealed class WrongConstructorNode(NodeId id) : IRaftNode
{
    public NodeId Id => id;

    public Configuration Configuration { get; } = new([id]);

    public Role Role => Role.Follower;

    public long Term => 0;

    public NodeId? VotedFor => null;

    public NodeId? Leader => null;

    public long CommitIndex => 0;

    public long LastApplied => 0;

    public IReadOnlyRaftLog Log { get; } = new RaftLog();

    public Output Step(Input input) => Output.None;
}
