using System.Globalization;

namespace Raft.Simulation.Grading;

/// <summary>The grade as text: a table of tests (seeds passed/run, time, points), the total, and each failing test's first failing seed.</summary>
public static class GradeReport
{
    public static void WriteTable(IReadOnlyList<TestOutcome> outcomes, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(output);
        var width = Math.Max(28, outcomes.Max(o => o.Test.Name.Length) + 2);
        output.WriteLine($"{"test".PadRight(width)}{"seeds",9}{"time",9}{"points",9}  result");
        foreach (var o in outcomes)
        {
            var seeds = $"{o.Passed}/{o.Run}";
            var result = o.Ok ? "ok" : o.IsInconclusive ? $"INCONCLUSIVE ({o.Inconclusive} seed(s): the linearizability search gave up)" : "FAIL";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{o.Test.Name.PadRight(width)}{seeds,9}{o.Elapsed.TotalSeconds,8:0.0}s{$"{o.Points}/{o.Test.Points}",9}  {result}"));
        }
        var earned = outcomes.Sum(o => o.Points);
        var possible = outcomes.Sum(o => o.Test.Points);
        var seconds = outcomes.Sum(o => o.Elapsed.TotalSeconds);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"total".PadRight(width)}{$"{outcomes.Sum(o => o.Passed)}/{outcomes.Sum(o => o.Run)}",9}{seconds,8:0.0}s{$"{earned}/{possible}",9}  {Percent(earned, possible)}%"));
    }

    public static void WriteFailures(IReadOnlyList<TestOutcome> outcomes, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(output);
        foreach (var o in outcomes)
        {
            if (o.FirstFailure is not { } f) continue;
            output.WriteLine();
            output.WriteLine($"FAILED {o.Test.Name} ({o.Test.What}): {o.Run - o.Passed} of {o.Run} seeds; first failing seed {f.Seed}");
            output.WriteLine($"  broke      {f.What}: {Indent(f.Message)}");
            output.WriteLine($"  faults     {(f.Faults.Count == 0 ? "(none)" : string.Join("; ", f.Faults))}");
            if (f.RecentTrace.Count > 0)
            {
                output.WriteLine("  last events");
                foreach (var line in f.RecentTrace) output.WriteLine("    " + line);
            }
            output.WriteLine($"  rerun      {f.Command}");
        }
    }

    public static int Percent(int earned, int possible) => possible == 0 ? 0 : (int)Math.Floor(100.0 * earned / possible);

    private static string Indent(string text) => text.Replace("\n", "\n             ", StringComparison.Ordinal);
}
