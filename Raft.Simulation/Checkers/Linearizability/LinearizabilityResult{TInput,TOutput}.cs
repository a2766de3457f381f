namespace Raft.Simulation.Checkers.Linearizability;

/// <summary>
/// What <see cref="LinearizabilityChecker.Check{TInput, TOutput, TState}(ILinearizabilityModel{TInput, TOutput, TState}, IReadOnlyList{ModelOperation{TInput, TOutput}}, long)"/> found, for any model.
/// </summary>
/// <param name="Outcome">The verdict. <see cref="LinearizabilityOutcome.Unknown"/> is no verdict: the step budget ran out.</param>
/// <param name="Partition">On a violation, the partition whose operations cannot be ordered; on an unknown outcome, the first partition the search gave up on.</param>
/// <param name="IllegalHistory">
/// On a violation, a small illegal subset of that partition's operations, as given, containing the
/// <paramref name="Culprit"/>: the operations that show why the culprit's answer cannot be placed.
/// Empty otherwise.
/// </param>
/// <param name="Culprit">
/// On a violation, the first operation whose answer cannot be placed: the partition, cut just
/// before its return (operations still running then counted as pending), is linearizable; cut just
/// after, it is not. Null when the search for it ran out of budget.
/// </param>
/// <param name="CulpritIsMistimed">
/// Shown that every answer of the illegal history fits some order that ignores real time: the
/// culprit's answer is stale, early or overtook another, rather than one no order gives. False when
/// no such order exists or the search for one gave up.
/// </param>
/// <param name="Steps">Search steps spent reaching the verdict (explaining a violation not included).</param>
public sealed record LinearizabilityResult<TInput, TOutput>(
    LinearizabilityOutcome Outcome,
    string? Partition,
    IReadOnlyList<ModelOperation<TInput, TOutput>> IllegalHistory,
    ModelOperation<TInput, TOutput>? Culprit,
    bool CulpritIsMistimed,
    long Steps)
    where TOutput : class
{
    public bool IsLinearizable => Outcome == LinearizabilityOutcome.Linearizable;

    /// <summary>A few lines for a person: the verdict, one operation per line in call order, and what the culprit did wrong.</summary>
    public string Render() => LinearizabilityText.Render(this);

    public override string ToString() => Render();
}
