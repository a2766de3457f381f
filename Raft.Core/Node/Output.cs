using Raft.Core.Effects;

namespace Raft.Core.Node;

/// <summary>
/// What one step produced: the effects, in the order they must be carried out (see
/// <see cref="Effect"/>), and for a <see cref="Inputs.Propose"/> input, what became of the proposal.
/// </summary>
public sealed record Output(IReadOnlyList<Effect> Effects, ProposeOutcome? Proposal = null)
{
    /// <summary>A step that did nothing visible.</summary>
    public static Output None { get; } = new([]);

    public IEnumerable<T> OfType<T>() where T : Effect => Effects.OfType<T>();
}
