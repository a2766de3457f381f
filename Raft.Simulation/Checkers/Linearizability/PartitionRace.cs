namespace Raft.Simulation.Checkers.Linearizability;

/// <summary>
/// Searches all partitions of a history side by side, so that one partition shown illegal ends the
/// whole check (a history with one illegal partition is illegal) without waiting for another
/// partition whose search is long or runs out of budget.
/// </summary>
/// <remarks>
/// <para>
/// The partitions advance in rounds: in each round every undecided search runs on until it has
/// taken the round's number of steps (4,096 in the first round, twice as many in each next one, up to
/// the step budget) or has decided. Within a round the searches are independent, so a
/// <see cref="PartitionRunner"/> may run them at the same time. Between rounds, if any partition was
/// shown illegal, the check stops.
/// </para>
/// <para>
/// Which illegal partition is reported must not depend on timing, so steps are the clock: it is the
/// one shown illegal in the fewest steps of its own search, and of those the first in ordinal order.
/// That is what a perfectly fair interleaving of all searches would meet first. Rounds find it: a
/// partition shown illegal in a round took more steps than the previous round's limit, which every
/// partition still undecided has reached, and every partition has reached the current limit or
/// decided. The steps reported are those such an interleaving spends: each partition's, capped at
/// the winner's. Without a violation every search runs to its end (decided or out of budget), and
/// an unknown outcome names the first partition in ordinal order that ran out of budget.
/// </para>
/// </remarks>
internal static class PartitionRace
{
    /// <summary>Steps each search may take in the first round.</summary>
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
        where TOutput : class
    {
        var searches = partitions.Select(p => new PartitionSearch<TInput, TOutput, TState>(model, p)).ToArray();
        var limit = Math.Min(FirstRoundSteps, stepBudget);
        while (true)
        {
            var running = searches.Where(s => !s.IsDecided && s.Steps < stepBudget).ToList();
            if (running.Count == 0) break;
            var roundLimit = limit;
            runner(running.Select(s => (Action)(() => s.Advance(roundLimit))).ToList());
            if (running.Any(s => !s.IsDecided && s.Steps < roundLimit))
            {
                throw new InvalidOperationException("the partition runner returned before every search had run");
            }

            var winner = FirstShownIllegal(searches);
            if (winner >= 0)
            {
                var cap = searches[winner].Steps;
                return new(LinearizabilityOutcome.Violation, winner, searches.Sum(s => Math.Min(s.Steps, cap)));
            }
            limit = limit >= stepBudget / 2 ? stepBudget : 2 * limit;
        }
        var total = searches.Sum(s => s.Steps);
        var gaveUp = Array.FindIndex(searches, s => !s.IsDecided);
        return gaveUp >= 0
            ? new(LinearizabilityOutcome.Unknown, gaveUp, total)
            : new(LinearizabilityOutcome.Linearizable, -1, total);
    }

    /// <summary>The illegal partition shown so in the fewest steps, the first in order on a tie; -1 if none.</summary>
    private static int FirstShownIllegal<TInput, TOutput, TState>(PartitionSearch<TInput, TOutput, TState>[] searches)
        where TOutput : class
    {
        var winner = -1;
        for (var i = 0; i < searches.Length; i++)
        {
            if (searches[i].Outcome == LinearizabilityOutcome.Violation && (winner < 0 || searches[i].Steps < searches[winner].Steps))
            {
                winner = i;
            }
        }
        return winner;
    }
}
