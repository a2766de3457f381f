namespace Raft.Simulation.Checkers.Linearizability;

/// <summary>
/// Turns one partition's non-linearizable history into something a person can act on: the
/// operation that cannot be placed (the culprit) and a small illegal history around it.
/// </summary>
/// <remarks>
/// <para>
/// The culprit. Cut the history just before some return: operations that had returned keep their
/// answers, operations still running become pending (any answer, return at +infinity). If a cut is
/// linearizable, so is every earlier cut (drop the operations called later and forget answers: a
/// linearization of the later cut still works), and calls never break one (a pending call can go
/// last). So there is a first return at which the cut stops being linearizable: binary search finds
/// it. Everything before that return is linearizable (Porcupine's longest legal prefix), and the
/// operation that returns there is the first whose answer cannot be placed. It is the culprit by
/// construction: with its answer forgotten, that cut is linearizable.
/// </para>
/// <para>
/// The small history. Dropping operations one by one while the rest stays illegal (plain delta
/// debugging) can move the blame: drop the write a read saw and that read becomes illegal on its
/// own, a second violation unrelated to the first; or it can keep the blame but lose the reason:
/// drop the write of the stale value and the stale read looks like a read of a value never
/// written. So a drop is kept only if the culprit stays the reason: the rest is still illegal; the
/// rest with the culprit's answer forgotten is still linearizable (no other operation became
/// illegal); and what made the culprit's answer plausible still does. Plausible means, whichever
/// held before shrinking: the culprit's answer fits at some other time (a stale or early answer:
/// the write of the stale value and one that overwrote it stay), or else every answer fits some
/// order that ignores real time (an answer that overtook another: a queue's later element
/// dequeued first keeps its enqueue and an earlier one's). In effect a write goes only together
/// with the reads that saw it. A search that runs out of budget never justifies a drop; searches
/// that ignore real time explore every order, so they only get <see cref="TimelessStepBudget"/>
/// steps: on a long history they may give up, and the explanation is then merely correct.
/// </para>
/// </remarks>
internal static class ViolationShrinker
{
    /// <summary>What <see cref="Explain"/> found: operations of the partition (as given) and, if it could tell, the culprit.</summary>
    internal sealed record Explanation<TInput, TOutput>(
        IReadOnlyList<ModelOperation<TInput, TOutput>> Illegal,
        ModelOperation<TInput, TOutput>? Culprit,
        bool CulpritIsMistimed)
        where TOutput : class;

    /// <summary>
    /// Explains a violation of <paramref name="operations"/> (one partition, known to be illegal).
    /// If a search on the way runs out of budget, the culprit stays unknown and the history is
    /// shrunk the plain way.
    /// </summary>
    public static Explanation<TInput, TOutput> Explain<TInput, TOutput, TState>(
        ILinearizabilityModel<TInput, TOutput, TState> model,
        IReadOnlyList<ModelOperation<TInput, TOutput>> operations,
        long stepBudget)
        where TOutput : class
    {
        LinearizabilityOutcome Search(IEnumerable<ModelOperation<TInput, TOutput>> ops, long budget) =>
            LinearizabilitySearch.RunPartition(model, ops.ToList(), budget).Outcome;
        bool Illegal(IEnumerable<ModelOperation<TInput, TOutput>> ops) => Search(ops, stepBudget) == LinearizabilityOutcome.Violation;
        bool Legal(IEnumerable<ModelOperation<TInput, TOutput>> ops) => Search(ops, stepBudget) == LinearizabilityOutcome.Linearizable;
        // Ignoring real time widens the search to every order: it serves the explanation only, so it gets a smaller budget.
        bool LegalIgnoringTime(IEnumerable<ModelOperation<TInput, TOutput>> ops) =>
            Search(Timeless(ops), Math.Min(stepBudget, TimelessStepBudget)) == LinearizabilityOutcome.Linearizable;

        var cut = FindFirstIllegalCut(operations, Search, stepBudget);
        if (cut is null)
        {
            var all = Enumerable.Range(0, operations.Count).ToList();
            var plain = Shrink(all, keep: -1, rest => Illegal(rest.Select(i => operations[i])));
            return new(plain.Select(i => operations[i]).ToList(), null, false);
        }

        var (prefix, culprit) = cut.Value;
        var members = Enumerable.Range(0, operations.Count).Where(i => prefix[i] is not null).ToList();
        IEnumerable<ModelOperation<TInput, TOutput>> Ops(List<int> rest, Func<ModelOperation<TInput, TOutput>, ModelOperation<TInput, TOutput>>? changeCulprit = null) =>
            rest.Select(i => i == culprit && changeCulprit is not null ? changeCulprit(prefix[i]!) : prefix[i]!);

        // What makes the culprit's answer plausible, to keep while shrinking: the culprit fits at
        // another time (a stale or early answer), or failing that every answer fits some order that
        // ignores real time (an answer that overtook another), or nothing.
        Func<List<int>, bool> plausible =
            Legal(Ops(members, Free)) ? rest => Legal(Ops(rest, Free))
            : LegalIgnoringTime(Ops(members)) ? rest => LegalIgnoringTime(Ops(rest))
            : _ => true;
        bool StillTheCulprit(List<int> rest) => Illegal(Ops(rest)) && Legal(Ops(rest, Forget)) && plausible(rest);

        var shrunk = Shrink(members, keep: culprit, StillTheCulprit);
        var mistimed = LegalIgnoringTime(Ops(shrunk));
        return new(shrunk.Select(i => operations[i]).ToList(), operations[culprit], mistimed);
    }

    /// <summary>Most steps of a search that ignores real time (it only makes the explanation better).</summary>
    internal const long TimelessStepBudget = 100_000;

    /// <summary>The culprit's answer forgotten: it becomes a call that may take effect any time after it was made, or never.</summary>
    private static ModelOperation<TInput, TOutput> Forget<TInput, TOutput>(ModelOperation<TInput, TOutput> op)
        where TOutput : class => op with { Output = null, ReturnedAt = null };

    /// <summary>The culprit freed from real time: its answer must fit somewhere, anywhere.</summary>
    private static ModelOperation<TInput, TOutput> Free<TInput, TOutput>(ModelOperation<TInput, TOutput> op)
        where TOutput : class => op with { CalledAt = long.MinValue, ReturnedAt = null };

    /// <summary>All operations freed from real time: every answer must fit some order, any order.</summary>
    private static IEnumerable<ModelOperation<TInput, TOutput>> Timeless<TInput, TOutput>(IEnumerable<ModelOperation<TInput, TOutput>> ops)
        where TOutput : class => ops.Select(op => op with { CalledAt = long.MinValue, ReturnedAt = null });

    /// <summary>
    /// Binary search for the first return whose cut is illegal. Returns the cut (per operation of
    /// the partition: its form in the cut, or null if called after the cut) and the index of the
    /// operation returning there; null if a search ran out of budget.
    /// </summary>
    private static (ModelOperation<TInput, TOutput>?[] Cut, int Culprit)? FindFirstIllegalCut<TInput, TOutput>(
        IReadOnlyList<ModelOperation<TInput, TOutput>> operations,
        Func<IEnumerable<ModelOperation<TInput, TOutput>>, long, LinearizabilityOutcome> search,
        long stepBudget)
        where TOutput : class
    {
        // Returns in the search's own event order: by time, then by position in the list.
        var returns = Enumerable.Range(0, operations.Count)
            .Where(i => operations[i].ReturnedAt is not null)
            .OrderBy(i => operations[i].ReturnedAt).ThenBy(i => i)
            .ToList();

        // Invariant: the cut before the first `legal` returns is linearizable (true for 0: everything
        // pending), and the cut with `illegal` returns is not (true for all returns: the whole
        // partition is illegal, and adding calls after the last return cannot change that).
        var (legal, illegal) = (0, returns.Count);
        while (illegal - legal > 1)
        {
            var middle = legal + (illegal - legal) / 2;
            switch (search(Cut(operations, returns, middle).OfType<ModelOperation<TInput, TOutput>>(), stepBudget))
            {
                case LinearizabilityOutcome.Linearizable: legal = middle; break;
                case LinearizabilityOutcome.Violation: illegal = middle; break;
                default: return null;
            }
        }
        if (illegal == 0) return null; // no return at all, yet illegal: cannot happen with a lawful model
        return (Cut(operations, returns, illegal), returns[illegal - 1]);
    }

    /// <summary>The history as it stood just after the first <paramref name="count"/> returns.</summary>
    private static ModelOperation<TInput, TOutput>?[] Cut<TInput, TOutput>(
        IReadOnlyList<ModelOperation<TInput, TOutput>> operations, List<int> returns, int count)
        where TOutput : class
    {
        var last = returns[count - 1];
        var lastTime = operations[last].ReturnedAt!.Value;
        var returned = new HashSet<int>(returns.Take(count));
        var cut = new ModelOperation<TInput, TOutput>?[operations.Count];
        for (var i = 0; i < operations.Count; i++)
        {
            // At equal times calls come before returns, so a call at the cut's time is inside it.
            if (operations[i].CalledAt > lastTime) continue;
            cut[i] = returned.Contains(i) ? operations[i] : Forget(operations[i]);
        }
        return cut;
    }

    /// <summary>
    /// Greedy shrinking to a history from which no single operation can be dropped. Runs of
    /// operations are dropped first, halving the run length down to one (so a long history shrinks
    /// in few searches); at length one, passes repeat until none drops anything, because dropping one
    /// operation (say a read) can make another (its write) droppable. <paramref name="keep"/> is
    /// never dropped (-1: none is kept).
    /// </summary>
    private static List<int> Shrink(List<int> members, int keep, Func<List<int>, bool> acceptable)
    {
        var current = members;
        for (var run = current.Count / 2; run > 1; run /= 2)
        {
            (current, _) = DropRuns(current, run, keep, acceptable);
        }
        var dropped = true;
        while (dropped)
        {
            (current, dropped) = DropRuns(current, 1, keep, acceptable);
        }
        return current;
    }

    /// <summary>One pass, dropping each run of <paramref name="run"/> operations whose removal is acceptable.</summary>
    private static (List<int> Remaining, bool Dropped) DropRuns(List<int> members, int run, int keep, Func<List<int>, bool> acceptable)
    {
        var current = members;
        var dropped = false;
        var start = 0;
        while (start < current.Count)
        {
            var length = Math.Min(run, current.Count - start);
            var without = new List<int>(current);
            without.RemoveRange(start, length);
            if (current.GetRange(start, length).Contains(keep) || !acceptable(without))
            {
                start += run;
            }
            else
            {
                (current, dropped) = (without, true);
            }
        }
        return (current, dropped);
    }
}
