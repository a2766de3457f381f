namespace Raft.Simulation.Checkers.Linearizability;

/// <summary>
/// Searches all partitions of a history, so that one partition shown illegal ends the whole check
/// (a history with one illegal partition is illegal) without waiting for another partition whose
/// search is long or runs out of budget, with the memory it holds bounded.
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
/// Rounds find it. The partitions advance in rounds: in each round every undecided search runs on
/// until it has taken the round's number of steps (<see cref="FirstRoundSteps"/> in the first round,
/// twice as many in each next one, up to the step budget) or has decided, and the check stops after
/// the first round in which a partition was shown illegal. A partition shown illegal in a round took
/// more steps than the previous round's limit, which every partition still undecided has reached,
/// and every partition has reached the current limit or decided; so the one with the fewest steps is
/// the one the fair interleaving meets first. Within a round the searches are independent, so a
/// <see cref="PartitionRunner"/> may run them at the same time.
/// </para>
/// <para>
/// Memory: a decided search is let go at once. An undecided one is kept for the next round while the
/// searches kept hold at most <c>heldBytes</c> together (<see cref="DefaultHeldBytes"/>); past that
/// it is let go and searched again from the start in the next round, which takes the same steps to
/// the same point (a search is deterministic): only time is spent, at most as many steps again as the
/// rounds before (they double). Which searches are kept may depend on the order in which a parallel
/// runner finishes them; the verdict and the steps never do. A short history keeps every search, as
/// if nothing were let go; a history of millions of operations holds the kept searches and those
/// running (one per core with <c>ParallelPartitionRunner</c>), not every partition's.
/// </para>
/// </remarks>
internal static class PartitionRace
{
    /// <summary>Steps each search may take in the first round.</summary>
    internal const long FirstRoundSteps = 4096;

    /// <summary>Most bytes the searches kept between rounds may hold together.</summary>
    public const long DefaultHeldBytes = 256L << 20;

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
        PartitionRunner runner,
        long heldBytes = DefaultHeldBytes)
        where TOutput : class
    {
        var outcomes = new LinearizabilityOutcome[partitionCount];
        Array.Fill(outcomes, LinearizabilityOutcome.Unknown);
        var steps = new long[partitionCount];
        var searched = new bool[partitionCount];
        var held = new PartitionSearch<TInput, TOutput, TState>?[partitionCount];
        var room = heldBytes; // bytes still free for searches kept between rounds

        for (var limit = Math.Min(FirstRoundSteps, stepBudget); ; limit = limit >= stepBudget / 2 ? stepBudget : 2 * limit)
        {
            var round = Enumerable.Range(0, partitionCount).Where(i => outcomes[i] == LinearizabilityOutcome.Unknown && steps[i] < stepBudget).ToList();
            if (round.Count == 0) break;
            foreach (var i in round) searched[i] = false;
            var roundLimit = limit;
            runner(round.Select(i => (Action)(() => Search(i, roundLimit))).ToList());
            if (round.Any(i => !Volatile.Read(ref searched[i]))) throw new InvalidOperationException("the partition runner returned before every search had run");
            if (round.Any(i => outcomes[i] == LinearizabilityOutcome.Violation)) break;
        }
        Array.Clear(held);

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

        void Search(int i, long limit)
        {
            var search = held[i];
            if (search is null) search = new PartitionSearch<TInput, TOutput, TState>(model, partition(i));
            else
            {
                held[i] = null;
                Interlocked.Add(ref room, search.Bytes);
            }
            search.Advance(limit);
            (outcomes[i], steps[i]) = (search.Outcome, search.Steps);
            // Kept for the next round if there is room; if not, the next round searches it again
            // from the start, which takes the same steps to the same point (a search is deterministic).
            if (!search.IsDecided && Interlocked.Add(ref room, -search.Bytes) >= 0) held[i] = search;
            else if (!search.IsDecided) Interlocked.Add(ref room, search.Bytes);
            Volatile.Write(ref searched[i], true);
        }
    }
}
