using Raft.Simulation.Checkers;

namespace Raft.Simulation.Grading;

/// <summary>
/// Runs grading tests over seeds. Each seed is one single-threaded, deterministic run. The grader
/// starts no threads itself: <see cref="ForEachSeed"/> runs the seeds one after the other unless
/// the command line gives it a parallel loop (<c>--jobs</c>); the outcome does not depend on it.
/// </summary>
public sealed class Grader(NodeSource node, int lab)
{
    /// <summary>Runs body(0) .. body(count - 1), in any order (the results go to their own slots). Sequential by default.</summary>
    public Action<int, Action<int>> ForEachSeed { get; init; } = (count, body) =>
    {
        for (var i = 0; i < count; i++) body(i);
    };

    /// <summary>Called after each seed with the test and how many of its seeds are done (from several threads when <see cref="ForEachSeed"/> is parallel).</summary>
    public Action<GradeTest, int>? Progress { get; init; }

    /// <summary>
    /// Measures wall time for the report; the grader itself never reads a clock (null: zero). The
    /// command line passes a stopwatch.
    /// </summary>
    public Func<Func<TestOutcome>, TestOutcome>? Timed { get; init; }

    /// <summary>Runs <paramref name="test"/> on <paramref name="seeds"/>.</summary>
    public TestOutcome Run(GradeTest test, IReadOnlyList<ulong> seeds)
    {
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(seeds);
        TestOutcome Measure()
        {
            var results = new SeedResult[seeds.Count];
            var done = 0;
            ForEachSeed(seeds.Count, i =>
            {
                results[i] = RunSeed(test, seeds[i], keepTrace: false).Outcome;
                Progress?.Invoke(test, Interlocked.Increment(ref done));
            });
            var failure = results.Select(r => r.Failure).FirstOrDefault(f => f is not null);
            // An inconclusive seed (the linearizability search gave up) proves nothing: it is not a pass.
            return new TestOutcome(test, results.Count(r => r.Failure is null && !r.Inconclusive), seeds.Count, results.Count(r => r.Inconclusive), failure, TimeSpan.Zero);
        }
        return Timed is null ? Measure() : Timed(Measure);
    }

    /// <summary>Runs one seed of <paramref name="test"/>; with <paramref name="keepTrace"/> the simulation keeps every event (for the viewer page).</summary>
    public (SeedResult Outcome, GradeRun Run, SimulationResult? Result) RunSeed(GradeTest test, ulong seed, bool keepTrace)
    {
        ArgumentNullException.ThrowIfNull(test);
        var run = new GradeRun(node, seed, keepTrace);
        string? expectation;
        string? crash = null;
        try
        {
            expectation = test.Body(run);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever the node does (throws from a getter, its constructor, returns garbage), it is this test's failure, not the grader's.
            expectation = null;
            crash = $"{e.GetType().Name}: {e.Message}";
        }
        SimulationResult? result = null;
        if (run.Started)
        {
            try
            {
                result = run.Sim.Result();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                crash ??= $"{e.GetType().Name}: {e.Message}";
            }
        }
        var violation = run.Started ? run.Sim.Violation : null;
        SeedFailure? failure = null;
        if (violation is not null) failure = Failure(run, seed, test, violation.Property.ToString(), violation.ToString());
        else if (crash is not null) failure = Failure(run, seed, test, nameof(Property.CoreInvariant), $"the node under test threw: {crash}");
        else if (expectation is not null) failure = Failure(run, seed, test, "expectation", expectation);
        var inconclusive = failure is null && result is { Inconclusive: true };
        return (new SeedResult(failure, inconclusive), run, result);
    }

    private SeedFailure Failure(GradeRun run, ulong seed, GradeTest test, string what, string message)
    {
        var recent = run.Started ? run.Sim.Trace.Recent.TakeLast(12).Select(e => e.ToText()).ToList() : [];
        var faults = run.Started ? run.Sim.Schedule.Select(a => a.ToString()).Concat(run.Actions).ToList() : [];
        return new SeedFailure(seed, what, message, recent, faults, ReplayCommand(run, test, seed));
    }

    /// <summary><c>raft-sim replay ...</c> when the run is one replay can repeat (our core, no action of the grader's); else <c>raft-sim grade ... --test T --seed S</c>.</summary>
    public string ReplayCommand(GradeRun run, GradeTest test, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(test);
        if (node.IsReference && test.Replayable && run.Started && run.Actions.Count == 0)
            return Cli.RunOptionSet.ReplayCommand(run.Options);
        return GradeCommand(test, seed);
    }

    /// <summary>The grade command that reruns one seed of one test.</summary>
    public string GradeCommand(GradeTest test, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(test);
        return Cli.RaftSimInvocation.Command($"grade --lab {lab} {Quoted(node.Argument)} --test {test.Name} --seed {seed}");
    }

    private static string Quoted(string argument) =>
        argument.StartsWith("--node ", StringComparison.Ordinal) && argument.Contains(' ', StringComparison.Ordinal) && argument[7..].Contains(' ', StringComparison.Ordinal)
            ? $"--node \"{argument[7..]}\"" : argument;

    /// <summary>The verdict on one seed.</summary>
    public sealed record SeedResult(SeedFailure? Failure, bool Inconclusive);
}
