using Raft.Core.StateMachine;
using Raft.Simulation.History;

namespace Raft.Simulation.Checkers.Linearizability;

/// <summary>
/// Checks that a history of operations on a shared object (the key-value store, or any other
/// <see cref="ILinearizabilityModel{TInput, TOutput, TState}"/>) is linearizable: that there is one
/// order of all operations in which each takes effect at a single instant inside its own interval
/// [invoked, completed], and in which every answer is the one the sequential object would give.
/// </summary>
/// <remarks>
/// <para>
/// How: put every call and return on one time line. Walk it from the start. At a call, try to
/// make that operation the next to take effect: run it on the model; if the model accepts its
/// answer, remove the operation's call and return from the time line, remember the choice, and
/// start again from the front. At a return, the operation that returns there has not taken effect
/// yet, yet every operation that could have gone before it has been tried and failed. So the last
/// choice was wrong: undo it and try the call after it instead. If the time line empties, the
/// choices made are a linearization; if there is no choice left to undo, there is none
/// (Wing and Gong 1993).
/// </para>
/// <para>
/// This alone is exponential. Lowe's observation (2017) is that two paths which have applied the
/// same set of operations and reached the same model state have the same future, so the search
/// remembers each (set of operations applied, state) pair and never explores one twice.
/// </para>
/// <para>
/// Linearizability is compositional: a history is linearizable iff each partition's sub-history is
/// (each key's, for the store), so each partition is searched on its own, which keeps the sets
/// small. The partitions are searched side by side, and the first shown illegal ends the check:
/// a long search of one key never delays the verdict on another that is plainly broken (which one
/// is reported, deterministically, is explained in <see cref="PartitionRace"/>). On the caller's
/// thread by default, as the simulator needs; callers with cores to spare pass a
/// <see cref="PartitionRunner"/> that runs the partitions' searches in parallel, for the same
/// result. An operation that never got a reply may or may not have taken effect: it is given a
/// return at +infinity and any answer, so the search may place it anywhere after its call,
/// including after everything else, which is the same as never. An operation that returned but
/// whose answer was not recorded took effect by its return, with any answer. A get without a
/// known answer changes nothing and shows nothing, so it is dropped.
/// </para>
/// <para>
/// A search that takes more than the step budget stops with <see cref="LinearizabilityOutcome.Unknown"/>:
/// inconclusive, never a pass. On a violation the failing partition is explained: the first
/// operation that cannot be placed (the culprit) and a small illegal history around it; see
/// <see cref="ViolationShrinker"/>.
/// </para>
/// <para>
/// The checker is generic: any <see cref="ILinearizabilityModel{TInput, TOutput, TState}"/> gets
/// partitioning, the budget, the explanation and the rendering. The key-value overload is the
/// simulator's and the real cluster's.
/// </para>
/// </remarks>
public static class LinearizabilityChecker
{
    /// <summary>Default limit on search steps for one partition's (one key's) sub-history.</summary>
    public const long DefaultStepBudget = 10_000_000;

    private static readonly KvModel Model = new();

    /// <summary>
    /// Checks <paramref name="operations"/> against <paramref name="model"/>, all partitions side by
    /// side on the caller's thread; each search of one partition (including each search while
    /// explaining a violation) may take at most <paramref name="stepBudget"/> steps. A violation in any
    /// partition wins over an unknown outcome in another and ends the check (see <see cref="PartitionRace"/>
    /// for which illegal partition is reported when there are several).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Malformed input, refused rather than reported as a violation: an operation returned before it
    /// was called, has an answer but no return time, or shares its id with another.
    /// </exception>
    public static LinearizabilityResult<TInput, TOutput> Check<TInput, TOutput, TState>(
        ILinearizabilityModel<TInput, TOutput, TState> model,
        IReadOnlyList<ModelOperation<TInput, TOutput>> operations,
        long stepBudget = DefaultStepBudget)
        where TOutput : class =>
        Check(model, operations, stepBudget, PartitionRace.InTurn);

    /// <summary>
    /// As <see cref="Check{TInput, TOutput, TState}(ILinearizabilityModel{TInput, TOutput, TState}, IReadOnlyList{ModelOperation{TInput, TOutput}}, long)"/>,
    /// with the partitions' searches run by <paramref name="runPartitions"/>, for example on all cores.
    /// The result is the same whatever the runner, and whatever order its searches finish in.
    /// </summary>
    public static LinearizabilityResult<TInput, TOutput> Check<TInput, TOutput, TState>(
        ILinearizabilityModel<TInput, TOutput, TState> model,
        IReadOnlyList<ModelOperation<TInput, TOutput>> operations,
        long stepBudget,
        PartitionRunner runPartitions)
        where TOutput : class
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(runPartitions);
        ArgumentOutOfRangeException.ThrowIfNegative(stepBudget);
        LinearizabilitySearch.Validate(operations, nameof(operations));
        var partitions = LinearizabilitySearch.Partition(model, operations).ToList();
        var verdict = PartitionRace.Run(model, partitions.Select(p => (IReadOnlyList<ModelOperation<TInput, TOutput>>)p.Value).ToList(), stepBudget, runPartitions);
        switch (verdict.Outcome)
        {
            case LinearizabilityOutcome.Violation:
                var (partition, members) = partitions[verdict.Partition];
                var explanation = ViolationShrinker.Explain(model, members, stepBudget);
                return new(verdict.Outcome, partition, explanation.Illegal, explanation.Culprit, explanation.CulpritIsMistimed, verdict.Steps);
            case LinearizabilityOutcome.Unknown:
                return new(verdict.Outcome, partitions[verdict.Partition].Key, [], null, false, verdict.Steps);
            default:
                return new(verdict.Outcome, null, [], null, false, verdict.Steps);
        }
    }

    /// <summary>
    /// Checks a key-value <paramref name="history"/> against <see cref="KvModel"/>, key by key, as
    /// <see cref="Check{TInput, TOutput, TState}(ILinearizabilityModel{TInput, TOutput, TState}, IReadOnlyList{ModelOperation{TInput, TOutput}}, long)"/> does. An operation with a completion time but no
    /// recorded result took effect by then with some answer; a get without a result shows nothing and
    /// changes nothing, so it is left out.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Malformed input: an operation completed before it was invoked, has a result but no completion
    /// time, or shares its id with another.
    /// </exception>
    public static LinearizabilityResult Check(IReadOnlyList<ClientOperation> history, long stepBudget = DefaultStepBudget) =>
        Check(history, stepBudget, PartitionRace.InTurn);

    /// <summary>
    /// As <see cref="Check(IReadOnlyList{ClientOperation}, long)"/>, with the keys' searches run by
    /// <paramref name="runPartitions"/>, for example on all cores. The result is the same whatever the
    /// runner, and whatever order its searches finish in.
    /// </summary>
    public static LinearizabilityResult Check(IReadOnlyList<ClientOperation> history, long stepBudget, PartitionRunner runPartitions)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(runPartitions);
        ArgumentOutOfRangeException.ThrowIfNegative(stepBudget);
        Validate(history);
        // Grouped by key as they are (a reference each); a key's operations take the search's form
        // only while its search runs, so a long history is not held twice over (PartitionRace).
        var byKey = new SortedDictionary<string, List<ClientOperation>>(StringComparer.Ordinal);
        foreach (var op in history)
        {
            if (op.Result is null && op.Command.Operation == KvOperation.Get) continue;
            if (!byKey.TryGetValue(op.Command.Key, out var members)) byKey[op.Command.Key] = members = [];
            members.Add(op);
        }
        var keys = byKey.Keys.ToList();
        var partitions = byKey.Values.ToList();
        List<ModelOperation<KvCommand, KvResult>> Operations(int partition) => partitions[partition].ConvertAll(ToModel);
        var verdict = PartitionRace.Run(Model, partitions.Count, Operations, stepBudget, runPartitions);
        switch (verdict.Outcome)
        {
            case LinearizabilityOutcome.Violation:
                var members = partitions[verdict.Partition];
                var explanation = ViolationShrinker.Explain(Model, Operations(verdict.Partition), stepBudget);
                var byId = members.ToDictionary(op => op.Id);
                return new LinearizabilityResult(
                    verdict.Outcome, keys[verdict.Partition], explanation.Illegal.Select(o => byId[o.Id]).ToList(), verdict.Steps,
                    explanation.Culprit is { } culprit ? byId[culprit.Id] : null, explanation.CulpritIsMistimed);
            case LinearizabilityOutcome.Unknown:
                return new LinearizabilityResult(verdict.Outcome, keys[verdict.Partition], [], verdict.Steps);
            default:
                return new LinearizabilityResult(verdict.Outcome, null, [], verdict.Steps);
        }
    }

    /// <summary>Refuses a history no real run can produce, so that it is never mistaken for a violation.</summary>
    private static void Validate(IReadOnlyList<ClientOperation> history)
    {
        // Ids are told apart with a set only when they do not simply increase (histories number them in call order).
        HashSet<long>? ids = null;
        var previous = long.MinValue;
        foreach (var op in history)
        {
            if (op is null) throw new ArgumentException("the history contains a null operation", nameof(history));
            if (op.CompletedAt < op.InvokedAt)
                throw new ArgumentException($"operation {op.Id} completed at {op.CompletedAt}, before it was invoked at {op.InvokedAt}", nameof(history));
            if (op.CompletedAt is null && op.Result is not null)
                throw new ArgumentException($"operation {op.Id} has a result but no completion time", nameof(history));
            if (ids is null && op.Id > previous)
            {
                previous = op.Id;
                continue;
            }
            ids ??= [.. history.TakeWhile(o => !ReferenceEquals(o, op)).Select(o => o.Id)];
            if (!ids.Add(op.Id)) throw new ArgumentException($"two operations have the id {op.Id}", nameof(history));
        }
    }

    /// <summary>A client operation as the search sees it.</summary>
    internal static ModelOperation<KvCommand, KvResult> ToModel(ClientOperation op) =>
        new(op.Id, op.Command, op.Result, op.InvokedAt, op.CompletedAt);
}
