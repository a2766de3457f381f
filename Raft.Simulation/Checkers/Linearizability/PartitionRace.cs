namespace Raft.Simulation.Checkers.Linearizability;

/// <summary>
/// Searches all partitions of a history, so that one partition shown illegal ends the whole check
/// (a history with one illegal partition is illegal) without waiting for another partition whose
/// search is long or runs out of budget, while holding only the searches that are running.
/// </summary>
/// <remarks>
/// <para>
/// Which illegal partition is reported must not depend on timing, so steps are the clock: it is the
/// one shown illegal in the fewest steps of its own search, and of those the first in ordinal order.
/// That is what a perfectly fair interleaving of all searches would meet first. The steps reported
/// are those such an interleaving spends: each partition's, capped at the winner's. Without a
/// violation every search runs to its end (decided or out of budget), and an unknown outcome names
/// the first partition in ordinal order that ran out of budget.
/// </para>
/// <para>
/// Two passes find it. First every partition is searched for <see cref="FirstRoundSteps"/> steps: a
/// plainly illegal partition (a stale read) is shown so here, whatever comes before it. A search
/// still undecided then is dropped (its memory with it), and searched again from the start in the
/// second pass, which takes the same steps again (a search is deterministic) and runs on until it
/// decides, runs out of budget, or has taken as many steps as the quickest violation known so far:
/// past that it cannot be the one reported, whatever it finds. That bound only falls as searches end,
/// and a search stopped by it had reached it, so each partition's steps, capped at the winner's, are
/// what the fair interleaving spends. Within a pass the searches are independent, so a
/// <see cref="PartitionRunner"/> may run them at the same time; each search exists only while its
/// action runs, so the memory held is that of the searches running at once (one per core with
/// <c>ParallelPartitionRunner</c>), not that of every partition of a long history.
/// </para>
/// </remarks>
internal static class PartitionRace
{
    /// <summary>Steps each search takes in the first pass, and between two looks at the quickest violation in the second.</summary>
    internal const long FirstRoundSteps = 4096;

    /// <summary>The outcome, the partition it names (an index; -1 if linearizable), and the steps spent.</summary>
    internal readonly record struct Verdict(LinearizabilityOutcome Outcome, int Partition, long Steps);

    /// <summary>Runs every action in turn, on the caller's thread: the runner for a deterministic simulation.</summary>
    public static void InTurn(IReadOnlyList<Action> searches)
    {
        foreach (var search in searches) search();
    }

    public static Verdict Run<TInput, TOutput, TState>(
        ILinearizabilityModel<TInput, TOutput, TState> model,
        IReadOnlyList<IReadOnlyList<ModelOperation<TInput, TOutput>>> partitions,
        long stepBudget,
        PartitionRunner runner)
        where TOutput : class =>
        Run(model, partitions.Count, i => partitions[i], stepBudget, runner);

    /// <summary>
    /// As <see cref="Run{TInput, TOutput, TState}(ILinearizabilityModel{TInput, TOutput, TState}, IReadOnlyList{IReadOnlyList{ModelOperation{TInput, TOutput}}}, long, PartitionRunner)"/>,
    /// with each partition's operations made by <paramref name="partition"/> when its search starts
    /// (and let go when it ends), so that a caller need not hold them all in the search's form at once.
    /// </summary>
    public static Verdict Run<TInput, TOutput, TState>(
        ILinearizabilityModel<TInput, TOutput, TState> model,
        int partitionCount,
        Func<int, IReadOnlyList<ModelOperation<TInput, TOutput>>> partition,
        long stepBudget,
        PartitionRunner runner)
        where TOutput : class
    {
        var outcomes = new LinearizabilityOutcome[partitionCount];
        var steps = new long[partitionCount];
        var searched = new bool[partitionCount];
        var quickestViolation = stepBudget; // steps of the quickest violation found so far; only falls

        // First pass: a short search of every partition.
        RunPass(Enumerable.Range(0, partitionCount), Math.Min(FirstRoundSteps, stepBudget));
        // Second pass: the partitions still undecided, from the start, to their end or the quickest violation.
        RunPass(Enumerable.Range(0, partitionCount).Where(i => outcomes[i] == LinearizabilityOutcome.Unknown && steps[i] < stepBudget), stepBudget);

        var winner = -1;
        for (var i = 0; i < partitionCount; i++)
        {
            if (outcomes[i] == LinearizabilityOutcome.Violation && (winner < 0 || steps[i] < steps[winner])) winner = i;
        }
        if (winner >= 0) return new(LinearizabilityOutcome.Violation, winner, steps.Sum(s => Math.Min(s, steps[winner])));
        var gaveUp = Array.FindIndex(outcomes, o => o == LinearizabilityOutcome.Unknown);
        return gaveUp >= 0
            ? new(LinearizabilityOutcome.Unknown, gaveUp, steps.Sum())
            : new(LinearizabilityOutcome.Linearizable, -1, steps.Sum());

        void RunPass(IEnumerable<int> members, long limit)
        {
            var pass = members.ToList();
            foreach (var i in pass) searched[i] = false;
            runner(pass.Select(i => (Action)(() => Search(i, limit))).ToList());
            if (pass.Any(i => !Volatile.Read(ref searched[i]))) throw new InvalidOperationException("the partition runner returned before every search had run");
        }

        void Search(int i, long limit)
        {
            var search = new PartitionSearch<TInput, TOutput, TState>(model, partition(i));
            // A search past the quickest violation cannot be reported: it stops there, undecided.
            while (!search.Advance(Math.Min(limit, Math.Min(search.Steps + FirstRoundSteps, Volatile.Read(ref quickestViolation))))
                && search.Steps < Math.Min(limit, Volatile.Read(ref quickestViolation)))
            {
            }
            (outcomes[i], steps[i]) = (search.Outcome, search.Steps);
            if (search.Outcome == LinearizabilityOutcome.Violation) LowerTo(ref quickestViolation, search.Steps);
            Volatile.Write(ref searched[i], true);
        }
    }

    private static void LowerTo(ref long bound, long value)
    {
        for (var seen = Volatile.Read(ref bound); value < seen; seen = Volatile.Read(ref bound))
        {
            if (Interlocked.CompareExchange(ref bound, value, seen) == seen) return;
        }
    }
}
