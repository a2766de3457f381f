using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Raft.Simulation;

namespace Raft.Tests.Properties;

/// <summary>
/// Runs a property over generated simulation cases with a fixed FsCheck seed (so the suite is
/// deterministic), and on failure reports the shrunk case, the violated property, the replay
/// command and the trace lines before the violation. A property that rests on the linearizability
/// verdict is inconclusive, never passed, when a case's search ran out of budget.
/// </summary>
public static class PropertyRunner
{
    /// <summary>Cases per property: RAFT_PROPERTY_RUNS, default 12.</summary>
    public static int Runs =>
        int.TryParse(Environment.GetEnvironmentVariable("RAFT_PROPERTY_RUNS"), out var runs) && runs > 0 ? runs : 12;

    /// <summary>FsCheck's own seed: RAFT_PROPERTY_SEED, default fixed, so CI runs the same cases every time.</summary>
    public static ulong FsCheckSeed =>
        ulong.TryParse(Environment.GetEnvironmentVariable("RAFT_PROPERTY_SEED"), out var seed) ? seed : 20261126;

    /// <summary>
    /// A failing case found and shrunk, with the run that shows it; <c>FoundAtCase</c> is which
    /// generated case (from 1) failed first, before shrinking: how hard the search had to look.
    /// </summary>
    public sealed record Counterexample(SimulationCase Case, SimulationResult Result, int Shrinks, int FoundAtCase)
    {
        public string Report() =>
            $"{Outcome(Result)}\n  found at case {FoundAtCase}, shrunk in {Shrinks} steps\n  {Case}\n  replay: {Case.ReplayCommand()}\n  last events:\n" +
            string.Join("\n", Result.RecentTrace.TakeLast(8).Select(e => "    " + e.ToText()));
    }

    /// <summary>
    /// What a property run found: the shrunk counterexample, if any, and every case whose
    /// linearizability check was inconclusive (search budget spent), in the order they ran.
    /// </summary>
    public sealed record Verdict(Counterexample? Counterexample, IReadOnlyList<(SimulationCase Case, SimulationResult Result)> Inconclusive)
    {
        /// <summary>
        /// For a property that rests on the linearizability verdict: why it is inconclusive, or
        /// null if it is not (no case gave up, or a counterexample decides anyway).
        /// </summary>
        public string? InconclusiveReport(int runs)
        {
            if (Counterexample is not null || Inconclusive.Count == 0) return null;
            var (c, result) = Inconclusive[0];
            return $"INCONCLUSIVE: no counterexample, but {Inconclusive.Count} of {runs} cases ran out of linearizability search budget, so the property is not shown to hold.\n" +
                $"  first: {c}\n  {result.Linearizability!.Render()}\n  replay: {c.ReplayCommand()} --lin-budget {c.ToOptions().LinearizabilityStepBudget * 10}";
        }
    }

    /// <summary>Checks that <paramref name="holds"/> is true of every generated case; returns the shrunk counterexample, if any.</summary>
    public static Counterexample? FindCounterexample(Arbitrary<SimulationCase> cases, Func<SimulationCase, SimulationResult, bool> holds, int runs) =>
        Evaluate(cases, holds, runs).Counterexample;

    /// <summary>
    /// Runs <paramref name="holds"/> over generated cases (each run by <paramref name="run"/>, by
    /// default a fresh simulation), collecting the shrunk counterexample and the inconclusive cases.
    /// </summary>
    public static Verdict Evaluate(
        Arbitrary<SimulationCase> cases, Func<SimulationCase, SimulationResult, bool> holds, int runs,
        Func<SimulationCase, SimulationResult>? run = null)
    {
        run ??= c => new Raft.Simulation.Simulation(c.ToOptions()).Run();
        Counterexample? last = null;
        var inconclusive = new List<(SimulationCase, SimulationResult)>();
        var failures = 0;
        var casesRun = 0;
        var foundAtCase = 0;
        var property = Prop.ForAll(cases, c =>
        {
            casesRun++;
            var result = run(c);
            if (result.Inconclusive) inconclusive.Add((c, result));
            var ok = holds(c, result);
            if (!ok)
            {
                failures++;
                if (foundAtCase == 0) foundAtCase = casesRun;
                last = new Counterexample(c, result, failures - 1, foundAtCase); // shrinking only ever moves to smaller failing cases
            }
            return ok;
        });
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(runs)
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(FsCheckSeed, 0x9E3779B97F4A7C15UL), FSharpOption<int>.None)));
        try
        {
            Check.One(config, property);
        }
        catch (Exception) when (last is not null)
        {
            // FsCheck reports the failure by throwing; the shrunk counterexample was captured above.
        }
        return new Verdict(last, inconclusive);
    }

    /// <summary>
    /// Asserts a property holds for the configured number of cases, printing the shrunk
    /// counterexample if not. For properties that do not depend on the linearizability verdict.
    /// </summary>
    public static void AssertHolds(Func<SimulationCase, SimulationResult, bool> holds, Arbitrary<SimulationCase>? cases = null)
    {
        var counterexample = FindCounterexample(cases ?? SimulationCaseGenerators.Cases(), holds, Runs);
        if (counterexample is not null) Assert.Fail("Counterexample after shrinking:\n" + counterexample.Report());
    }

    /// <summary>
    /// As <see cref="AssertHolds"/>, for a property that rests on the linearizability verdict: if
    /// no case fails but some case's search ran out of budget, the test is Inconclusive (reported
    /// apart from passes and failures), never passed.
    /// </summary>
    public static void AssertHoldsConclusively(Func<SimulationCase, SimulationResult, bool> holds, Arbitrary<SimulationCase>? cases = null)
    {
        var verdict = Evaluate(cases ?? SimulationCaseGenerators.Cases(), holds, Runs);
        if (verdict.Counterexample is not null) Assert.Fail("Counterexample after shrinking:\n" + verdict.Counterexample.Report());
        if (verdict.InconclusiveReport(Runs) is { } report) Assert.Inconclusive(report);
    }

    /// <summary>One line on a run: its violation, or that it was inconclusive, or that it passed.</summary>
    public static string Outcome(SimulationResult result) =>
        result.Violation?.ToString()
        ?? (result.Inconclusive ? "INCONCLUSIVE: " + result.Linearizability!.Render() : "no violation");

    /// <summary>True unless the run violated <paramref name="property"/> (an inconclusive run violated nothing).</summary>
    public static Func<SimulationCase, SimulationResult, bool> No(Raft.Simulation.Checkers.Property property) =>
        (_, result) => result.Violation?.Property != property;
}
