using Raft.Core.StateMachine;
using Raft.Simulation.History;

namespace Raft.Simulation.Checkers.Linearizability;

/// <summary>
/// Checks that a history of key-value operations is linearizable: that there is one order of all
/// operations in which each takes effect at a single instant inside its own interval
/// [invoked, completed], and in which every answer is the one the sequential store would give.
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
/// Linearizability is compositional: a history is linearizable iff each key's sub-history is, so
/// each key is searched on its own, which keeps the sets small. An operation that never got a
/// reply may or may not have taken effect: it is given a return at +infinity and any answer, so
/// the search may place it anywhere after its call, including after everything else, which is the
/// same as never. A get without a reply changes nothing and shows nothing, so it is dropped.
/// </para>
/// <para>
/// A search that takes more than the step budget stops with <see cref="LinearizabilityOutcome.Unknown"/>.
/// On a violation the failing key's operations are shrunk: drop one operation at a time while the
/// rest is still a violation (runs first, then single operations) until no single drop keeps it one.
/// </para>
/// </remarks>
public static class LinearizabilityChecker
{
    /// <summary>Default limit on search steps for one key's sub-history.</summary>
    public const long DefaultStepBudget = 10_000_000;

    private static readonly KvModel Model = new();

    /// <summary>
    /// Checks <paramref name="history"/>; each search of one key's operations (including each
    /// attempt while shrinking a violation) may take at most <paramref name="stepBudget"/> steps.
    /// Keys are checked in ordinal order; a violation on any key wins over an unknown on another.
    /// </summary>
    public static LinearizabilityResult Check(IReadOnlyList<ClientOperation> history, long stepBudget = DefaultStepBudget)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepBudget);
        var totalSteps = 0L;
        string? unknownKey = null;
        foreach (var (key, operations) in PartitionByKey(history))
        {
            var (outcome, steps) = Search(operations, stepBudget);
            totalSteps += steps;
            if (outcome == LinearizabilityOutcome.Violation)
            {
                var illegal = Shrink(operations, stepBudget);
                return new LinearizabilityResult(outcome, key, illegal, totalSteps);
            }
            if (outcome == LinearizabilityOutcome.Unknown) unknownKey ??= key;
        }
        return unknownKey is null
            ? new LinearizabilityResult(LinearizabilityOutcome.Linearizable, null, [], totalSteps)
            : new LinearizabilityResult(LinearizabilityOutcome.Unknown, unknownKey, [], totalSteps);
    }

    private static SortedDictionary<string, List<ClientOperation>> PartitionByKey(IReadOnlyList<ClientOperation> history)
    {
        var byKey = new SortedDictionary<string, List<ClientOperation>>(StringComparer.Ordinal);
        foreach (var op in history)
        {
            if (!op.IsComplete && op.Command.Operation == KvOperation.Get) continue;
            var key = Model.Partition(op.Command);
            if (!byKey.TryGetValue(key, out var operations)) byKey[key] = operations = [];
            operations.Add(op);
        }
        return byKey;
    }

    private static (LinearizabilityOutcome Outcome, long Steps) Search(IReadOnlyList<ClientOperation> operations, long stepBudget)
    {
        var modelOperations = operations
            .Select(op => new ModelOperation<KvCommand, KvResult>(
                op.Command,
                op.IsComplete ? op.Result : null,
                op.InvokedAt,
                op.IsComplete ? op.CompletedAt : null))
            .ToList();
        return LinearizabilitySearch.Run(Model, modelOperations, stepBudget);
    }

    /// <summary>
    /// Greedy shrinking to a history that is minimal by removal. Runs of operations are dropped
    /// first, halving the run length down to one (so a long history shrinks in few searches); at
    /// length one, passes repeat until none drops anything, because dropping one operation (say a
    /// write) can make another droppable. A drop whose check runs out of budget is not taken:
    /// the result stays a proven violation.
    /// </summary>
    private static List<ClientOperation> Shrink(List<ClientOperation> operations, long stepBudget)
    {
        var current = operations;
        for (var run = current.Count / 2; run > 1; run /= 2)
        {
            (current, _) = DropRuns(current, run, stepBudget);
        }
        var dropped = true;
        while (dropped)
        {
            (current, dropped) = DropRuns(current, 1, stepBudget);
        }
        return current;
    }

    /// <summary>One pass over the history, dropping each run of <paramref name="run"/> operations whose removal leaves a violation.</summary>
    private static (List<ClientOperation> Remaining, bool Dropped) DropRuns(List<ClientOperation> operations, int run, long stepBudget)
    {
        var current = operations;
        var dropped = false;
        var start = 0;
        while (start < current.Count)
        {
            var without = new List<ClientOperation>(current);
            without.RemoveRange(start, Math.Min(run, current.Count - start));
            if (Search(without, stepBudget).Outcome == LinearizabilityOutcome.Violation)
            {
                (current, dropped) = (without, true);
            }
            else
            {
                start += run;
            }
        }
        return (current, dropped);
    }
}
