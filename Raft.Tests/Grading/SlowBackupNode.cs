using Raft.Core;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Node;
using Raft.Core.Randomness;
using Raft.Core.Storage;

namespace Raft.Tests.Grading;

/// <summary>
/// Our RaftNode with the conflict hint of §5.3 taken out of its rejections: a follower that rejects
/// AppendEntries says only "not at PrevLogIndex", so a leader backs up one entry per round trip.
/// </summary>
public sealed class SlowBackupNode(NodeId id, IReadOnlyList<NodeId> members, RaftOptions options, IRandomSource random, PersistentState persisted, long firstMessageId) : IRaftNode
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

    public Output Step(Input input)
    {
        var output = inner.Step(input);
        var effects = output.Effects.Select(e => e is Raft.Core.Effects.Send { Message: Raft.Core.Messages.AppendEntriesResponse { Success: false } rejection }
            ? new Raft.Core.Effects.Send(rejection with { HintIndex = rejection.Index, HintTerm = 0 })
            : e).ToList();
        return output with { Effects = effects };
    }
}
