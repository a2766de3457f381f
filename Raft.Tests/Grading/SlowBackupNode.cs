using Raft.Core;
using Raft.Core.Inputs;
using Raft.Core.Node;
using Raft.Core.Randomness;
using Raft.Core.Storage;
using Raft.Tests.Support;

namespace Raft.Tests.Grading;

/// <summary>
/// Our RaftNode with the conflict hint of §5.3 taken out of its rejections: a follower that rejects
/// AppendEntries says only "not at PrevLogIndex", so a leader backs up one entry per round trip.
/// </summary>
public sealed class SlowBackupNode(NodeId id, IReadOnlyList<NodeId> members, RaftOptions options, IRandomSource random, PersistentState persisted, long firstMessageId)
    : WrappedNode(new RaftNode(id, members, options, random, persisted, firstMessageId))
{
    public override Output Step(Input input)
    {
        var output = Inner.Step(input);
        var effects = output.Effects.Select(e => e is Raft.Core.Effects.Send { Message: Raft.Core.Messages.AppendEntriesResponse { Success: false } rejection }
            ? new Raft.Core.Effects.Send(rejection with { HintIndex = rejection.Index, HintTerm = 0 })
            : e).ToList();
        return output with { Effects = effects };
    }
}
