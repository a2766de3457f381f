namespace Raft.Simulation.Checkers.Linearizability;

/// <summary>
/// Decides whether operations are linearizable against a model: the depth-first search of Wing and
/// Gong (1993) with Lowe's memoization (Lowe, "Testing for linearizability", 2017), as Porcupine
/// describes it, run on each of the model's partitions separately (<see cref="PartitionSearch{TInput, TOutput, TState}"/>,
/// side by side: <see cref="PartitionRace"/>). <see cref="LinearizabilityChecker"/> explains the idea
/// and adds what a person needs on a violation (the culprit, a small illegal history).
/// </summary>
public static class LinearizabilitySearch
{
    /// <summary>
    /// Searches for a linearization of <paramref name="operations"/>, one partition of the model at a
    /// time (<see cref="ILinearizabilityModel{TInput, TOutput, TState}.Partition"/>): the search of
    /// each may take at most <paramref name="stepBudget"/> steps (one step = one look at a list
    /// entry). Returns the outcome (a violation in any partition wins over running out of budget in
    /// another, and ends the search of the others: see <see cref="PartitionRace"/>) and the steps taken.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Malformed input: an operation returned before it was called, has an answer but no return
    /// time, or shares its id with another.
    /// </exception>
    public static (LinearizabilityOutcome Outcome, long Steps) Run<TInput, TOutput, TState>(
        ILinearizabilityModel<TInput, TOutput, TState> model,
        IReadOnlyList<ModelOperation<TInput, TOutput>> operations,
        long stepBudget)
        where TOutput : class
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(stepBudget);
        Validate(operations, nameof(operations));
        var partitions = Partition(model, operations).Values.ToList<IReadOnlyList<ModelOperation<TInput, TOutput>>>();
        var verdict = PartitionRace.Run(model, partitions, stepBudget, PartitionRace.InTurn);
        return (verdict.Outcome, verdict.Steps);
    }

    /// <summary>
    /// Refuses input no real history can produce, so that it is never mistaken for a violation.
    /// </summary>
    internal static void Validate<TInput, TOutput>(IReadOnlyList<ModelOperation<TInput, TOutput>> operations, string parameter)
        where TOutput : class
    {
        ArgumentNullException.ThrowIfNull(operations, parameter);
        var ids = new HashSet<long>();
        foreach (var op in operations)
        {
            if (op is null) throw new ArgumentException("the history contains a null operation", parameter);
            if (op.ReturnedAt < op.CalledAt)
                throw new ArgumentException($"operation {op.Id} returned at {op.ReturnedAt}, before it was called at {op.CalledAt}", parameter);
            if (op.ReturnedAt is null && op.Output is not null)
                throw new ArgumentException($"operation {op.Id} has an answer but no return time", parameter);
            if (!ids.Add(op.Id)) throw new ArgumentException($"two operations have the id {op.Id}", parameter);
        }
    }

    /// <summary>The operations grouped by the model's partition, partitions in ordinal order, each in input order.</summary>
    internal static SortedDictionary<string, List<ModelOperation<TInput, TOutput>>> Partition<TInput, TOutput, TState>(
        ILinearizabilityModel<TInput, TOutput, TState> model,
        IReadOnlyList<ModelOperation<TInput, TOutput>> operations)
        where TOutput : class
    {
        var partitions = new SortedDictionary<string, List<ModelOperation<TInput, TOutput>>>(StringComparer.Ordinal);
        foreach (var op in operations)
        {
            var key = model.Partition(op.Input);
            if (!partitions.TryGetValue(key, out var members)) partitions[key] = members = [];
            members.Add(op);
        }
        return partitions;
    }

    /// <summary>
    /// The search proper, on operations the caller knows to lie in one partition (the model's state
    /// is then the whole story). Operations at equal times are ordered by their position in the list.
    /// </summary>
    internal static (LinearizabilityOutcome Outcome, long Steps) RunPartition<TInput, TOutput, TState>(
        ILinearizabilityModel<TInput, TOutput, TState> model,
        IReadOnlyList<ModelOperation<TInput, TOutput>> operations,
        long stepBudget)
        where TOutput : class
    {
        var search = new PartitionSearch<TInput, TOutput, TState>(model, operations);
        search.Advance(stepBudget);
        return (search.Outcome, search.Steps);
    }
}
