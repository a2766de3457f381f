using Raft.Core.StateMachine;
using Raft.Simulation.History;

namespace Raft.Simulation.Checkers.Linearizability;

/// <summary>
/// What <see cref="LinearizabilityChecker.Check(IReadOnlyList{ClientOperation}, long)"/> found in a
/// key-value history: <see cref="LinearizabilityResult{TInput, TOutput}"/> with keys for partitions
/// and the client operations themselves. On a violation, <see cref="Key"/> names the key whose
/// operations cannot be ordered, <see cref="Culprit"/> the first operation whose answer cannot be
/// placed (the history is linearizable up to its return; null if finding it ran out of budget) and
/// <see cref="IllegalHistory"/> a small illegal subset of the key's operations that contains it.
/// On an unknown outcome (inconclusive: the step budget ran out), <see cref="Key"/> names the first
/// key the search gave up on. <see cref="Steps"/> counts the search steps spent reaching the verdict.
/// </summary>
public sealed record LinearizabilityResult(
    LinearizabilityOutcome Outcome,
    string? Key,
    IReadOnlyList<ClientOperation> IllegalHistory,
    long Steps,
    ClientOperation? Culprit = null,
    bool CulpritIsMistimed = false)
{
    public bool IsLinearizable => Outcome == LinearizabilityOutcome.Linearizable;

    /// <summary>True when the search ran out of budget: no verdict, neither a pass nor a violation.</summary>
    public bool IsInconclusive => Outcome == LinearizabilityOutcome.Unknown;

    /// <summary>A few lines for a person: the verdict, one operation per line in call order, and what the culprit did wrong.</summary>
    public string Render() => LinearizabilityText.Render(
        new LinearizabilityResult<KvCommand, KvResult>(
            Outcome, Key, IllegalHistory.Select(LinearizabilityChecker.ToModel).ToList(),
            Culprit is null ? null : LinearizabilityChecker.ToModel(Culprit), CulpritIsMistimed, Steps),
        partitionWord: "key");

    public override string ToString() => Render();
}
