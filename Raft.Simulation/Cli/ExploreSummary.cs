using System.Globalization;

namespace Raft.Simulation.Cli;

/// <summary>
/// The summary an explore prints, from the outcomes of its seeds: <c>explore</c> prints it for the
/// seeds it ran, <c>merge</c> for the seeds of its results files, so that N shards merged read
/// exactly like one unsharded run (apart from the wall-time line, which each describes itself).
/// </summary>
public static class ExploreSummary
{
    /// <summary>
    /// Prints the summary of <paramref name="outcomes"/> and returns the exit code: 1 if any seed
    /// violated a property, else 3 if any seed was inconclusive, else 0.
    /// </summary>
    /// <param name="outcomes">The seeds that ran, in any order.</param>
    /// <param name="wallTime">The text of the wall-time line, e.g. <c>2.00s (6.0 seeds/s)</c>.</param>
    /// <param name="output">Where the summary goes.</param>
    public static int Print(IReadOnlyList<SeedOutcome> outcomes, string wallTime, TextWriter output)
    {
        var failures = outcomes.Where(o => o.Verdict == SeedVerdict.Violation).OrderBy(o => o.Seed).ToList();
        var inconclusive = outcomes.Where(o => o.Verdict == SeedVerdict.Inconclusive).OrderBy(o => o.Seed).ToList();
        output.WriteLine();
        output.WriteLine($"seeds run        {outcomes.Count}");
        output.WriteLine($"violations       {failures.Count}{(failures.Count == 0 ? "" : " (" + string.Join(", ", failures.GroupBy(f => f.Violation!.Property).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}")) + ")")}");
        output.WriteLine($"inconclusive     {inconclusive.Count}{(inconclusive.Count == 0 ? "" : " (linearizability search budget spent; not passed)")}");
        output.WriteLine($"elections        {outcomes.Sum(o => (long)o.Elections)}");
        output.WriteLine($"commits          {outcomes.Sum(o => o.Commits)}");
        if (outcomes.Any(o => o.ConfigurationChanges > 0)) output.WriteLine($"config changes   {outcomes.Sum(o => (long)o.ConfigurationChanges)} committed");
        output.WriteLine($"client ops       {outcomes.Sum(o => (long)o.ClientOperations)}");
        output.WriteLine($"messages         {outcomes.Sum(o => o.MessagesSent)} sent, {outcomes.Sum(o => o.MessagesDropped)} dropped");
        output.WriteLine($"wall time        {wallTime}");
        if (failures.Count == 0 && inconclusive.Count == 0)
        {
            output.WriteLine("No violation.");
            return 0;
        }
        if (failures.Count == 0)
        {
            PrintFirstInconclusive(inconclusive, output);
            return ExploreCommand.InconclusiveExitCode;
        }
        PrintFirstViolation(failures[0], output);
        return 1;
    }

    /// <summary>The wall-time line of one process: how long its seeds took and how many it ran per second.</summary>
    public static string WallTime(TimeSpan wall, int seeds)
    {
        var seconds = Math.Max(wall.TotalSeconds, 1e-6);
        return string.Create(CultureInfo.InvariantCulture, $"{wall.TotalSeconds:0.00}s ({seeds / seconds:0.0} seeds/s)");
    }

    private static void PrintFirstInconclusive(IReadOnlyList<SeedOutcome> inconclusive, TextWriter output)
    {
        var first = inconclusive[0];
        output.WriteLine();
        output.WriteLine($"No violation found, but INCONCLUSIVE: {inconclusive.Count} seed(s) not checked for linearizability to the end: {string.Join(", ", inconclusive.Take(10).Select(o => o.Seed))}{(inconclusive.Count > 10 ? ", ..." : "")}");
        output.WriteLine($"First: seed {first.Seed}: the search gave up on key \"{first.LinearizabilityKey}\" after {first.LinearizabilitySteps} search steps over all keys (budget {first.LinBudget} per key).");
        output.WriteLine($"Replay it with a larger budget{RaftSimInvocation.Where}:");
        output.WriteLine("  " + first.ReplayCommand(LargerBudget(first.LinBudget)));
    }

    private static void PrintFirstViolation(SeedOutcome failure, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"FIRST VIOLATION: seed {failure.Seed}: {failure.Violation}");
        output.WriteLine("Last events before it:");
        foreach (var line in failure.RecentTrace) output.WriteLine("  " + line);
        output.WriteLine("Servers at the violation:");
        foreach (var server in failure.Servers) output.WriteLine("  " + server);
        output.WriteLine();
        output.WriteLine($"Replay it with{RaftSimInvocation.Where}:");
        output.WriteLine("  " + failure.ReplayCommand());
    }

    private static long LargerBudget(long budget) => budget > long.MaxValue / 10 ? long.MaxValue : budget * 10;
}
