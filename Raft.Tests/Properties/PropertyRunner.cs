using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Raft.Simulation;

namespace Raft.Tests.Properties;

/// <summary>
/// Runs a property over generated simulation cases with a fixed FsCheck seed (so the suite is
/// deterministic), and on failure reports the shrunk case, the violated property, the replay
/// command and the trace lines before the violation.
/// </summary>
public static class PropertyRunner
{
    /// <summary>Cases per property: RAFT_PROPERTY_RUNS, default 12.</summary>
    public static int Runs =>
        int.TryParse(Environment.GetEnvironmentVariable("RAFT_PROPERTY_RUNS"), out var runs) && runs > 0 ? runs : 12;

    /// <summary>FsCheck's own seed: RAFT_PROPERTY_SEED, default fixed, so CI runs the same cases every time.</summary>
    public static ulong FsCheckSeed =>
        ulong.TryParse(Environment.GetEnvironmentVariable("RAFT_PROPERTY_SEED"), out var seed) ? seed : 20261126;

    /// <summary>A failing case found and shrunk, with the run that shows it.</summary>
    public sealed record Counterexample(SimulationCase Case, SimulationResult Result, int Shrinks)
    {
        public string Report() =>
            $"{Result.Violation}\n  {Case}\n  replay: {Case.ReplayCommand()}\n  last events:\n" +
            string.Join("\n", Result.RecentTrace.TakeLast(8).Select(e => "    " + e.ToText()));
    }

    /// <summary>Checks that <paramref name="holds"/> is true of every generated case; returns the shrunk counterexample, if any.</summary>
    public static Counterexample? FindCounterexample(Arbitrary<SimulationCase> cases, Func<SimulationCase, SimulationResult, bool> holds, int runs)
    {
        Counterexample? last = null;
        var failures = 0;
        var property = Prop.ForAll(cases, c =>
        {
            var result = new Raft.Simulation.Simulation(c.ToOptions()).Run();
            var ok = holds(c, result);
            if (!ok)
            {
                failures++;
                last = new Counterexample(c, result, failures - 1); // shrinking only ever moves to smaller failing cases
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
        return last;
    }

    /// <summary>Asserts a property holds for the configured number of cases, printing the shrunk counterexample if not.</summary>
    public static void AssertHolds(Func<SimulationCase, SimulationResult, bool> holds, Arbitrary<SimulationCase>? cases = null)
    {
        var counterexample = FindCounterexample(cases ?? SimulationCaseGenerators.Cases(), holds, Runs);
        if (counterexample is not null) Assert.Fail("Counterexample after shrinking:\n" + counterexample.Report());
    }

    /// <summary>True unless the run violated <paramref name="property"/>.</summary>
    public static Func<SimulationCase, SimulationResult, bool> No(Raft.Simulation.Checkers.Property property) =>
        (_, result) => result.Violation?.Property != property;
}
