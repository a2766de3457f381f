using Raft.Core.Inputs;
using Raft.Core.Log;

namespace Raft.Core.Node;

/// <summary>
/// The one interface a driver (simulator, real host, tests) uses: inputs in, effects out, plus
/// read-only inspection for checkers and views. The reference <see cref="RaftNode"/> implements
/// it; so can a student's own implementation.
/// </summary>
public interface IRaftNode
{
    NodeId Id { get; }

    /// <summary>The configuration this node uses: the latest in its log, committed or not (thesis §4.1).</summary>
    Membership.Configuration Configuration { get; }

    Role Role { get; }

    long Term { get; }

    NodeId? VotedFor { get; }

    /// <summary>The leader of the current term as far as this node knows.</summary>
    NodeId? Leader { get; }

    long CommitIndex { get; }

    /// <summary>Highest index handed out in an <see cref="Effects.ApplyEntry"/> effect.</summary>
    long LastApplied { get; }

    IReadOnlyRaftLog Log { get; }

    /// <summary>Handles one input and returns the effects the driver must carry out, in order.</summary>
    Output Step(Input input);

    /// <summary>
    /// <see cref="Step(Input)"/> for a driver that reuses one list for every step (the simulator):
    /// appends the effects to <paramref name="effects"/>, in order, instead of returning a new
    /// <see cref="Output"/>, and returns what became of a proposal. A node need not implement it:
    /// by default it calls <see cref="Step(Input)"/>.
    /// </summary>
    ProposeOutcome? Step(Input input, List<Effects.Effect> effects)
    {
        var output = Step(input);
        effects.AddRange(output.Effects);
        return output.Proposal;
    }
}
