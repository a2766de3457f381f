namespace Raft.Simulation.Checkers.Linearizability;

/// <summary>
/// The sequential specification a history is checked against: where the object starts, what one
/// operation does to it, and which operations can never affect each other. Implement these three
/// and <see cref="LinearizabilityChecker.Check{TInput, TOutput, TState}(ILinearizabilityModel{TInput, TOutput, TState}, IReadOnlyList{ModelOperation{TInput, TOutput}}, long)"/> does the rest
/// (partitioning, step budget, explaining a violation, rendering); <see cref="KvModel"/> is one.
/// </summary>
/// <typeparam name="TInput">What a client asked for.</typeparam>
/// <typeparam name="TOutput">What the client was told.</typeparam>
/// <typeparam name="TState">
/// The object's state. It must have value equality (<see cref="EqualityComparer{T}.Default"/>):
/// the search remembers which states it has already tried.
/// </typeparam>
public interface ILinearizabilityModel<in TInput, in TOutput, TState>
    where TOutput : class
{
    /// <summary>The state before any operation.</summary>
    TState Init();

    /// <summary>
    /// Applies <paramref name="input"/> to <paramref name="state"/>. <c>Ok</c> says whether the
    /// object could have answered <paramref name="output"/>; a null output means the answer is not
    /// known (none came, or it was not recorded), so any answer is acceptable: <c>Ok</c> must then be
    /// true and only the effect on the state matters.
    /// </summary>
    /// <remarks>Must be a pure function of its arguments: the search calls it many times, in any order.</remarks>
    (bool Ok, TState State) Step(TState state, TInput input, TOutput? output);

    /// <summary>
    /// Operations in different partitions touch disjoint parts of the state, so each partition can
    /// be checked on its own (linearizability is compositional: Herlihy and Wing 1990, §3.3).
    /// </summary>
    string Partition(TInput input);
}
