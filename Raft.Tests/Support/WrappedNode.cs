using Raft.Core;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Node;

namespace Raft.Tests.Support;

/// <summary>
/// A node that is another node with one behaviour changed: everything goes to <see cref="Inner"/>,
/// and a test node overrides <see cref="Step"/> to break or bend one rule.
/// </summary>
public abstract class WrappedNode(IRaftNode inner) : IRaftNode
{
    protected IRaftNode Inner => inner;

    public NodeId Id => inner.Id;

    public Configuration Configuration => inner.Configuration;

    public Role Role => inner.Role;

    public long Term => inner.Term;

    public NodeId? VotedFor => inner.VotedFor;

    public NodeId? Leader => inner.Leader;

    public virtual long CommitIndex => inner.CommitIndex;

    public long LastApplied => inner.LastApplied;

    public IReadOnlyRaftLog Log => inner.Log;

    public virtual Output Step(Input input) => inner.Step(input);
}
