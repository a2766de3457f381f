using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using Raft.Simulation.Checkers.Linearizability;
using Spectre.Console;

namespace Raft.Simulation.Cli;

/// <summary>
/// <c>raft-sim explore</c>: many seeded runs, a progress bar, a summary, the first failing seed with
/// its replay command. Exit code 0: every seed passed; 1: a violation; 3: no violation, but the
/// linearizability check of some seed was inconclusive (search budget spent); 2: bad arguments.
/// </summary>
public static class ExploreCommand
{
    /// <summary>Exit code of a run in which nothing failed but some check could not decide.</summary>
    public const int InconclusiveExitCode = 3;

    /// <summary>
    /// <c>--lin-budget STEPS</c>, shared with <c>replay</c>: most search steps the linearizability
    /// check may spend on one key; a search that runs out makes the run inconclusive.
    /// </summary>
    public static Option<long> CreateLinBudgetOption()
    {
        return new Option<long>("--lin-budget")
        {
            HelpName = "STEPS",
            Description = "Most search steps the linearizability check may spend on one key's history; a search that runs out makes the seed inconclusive (exit code 3), never a pass.",
            DefaultValueFactory = _ => LinearizabilityChecker.DefaultStepBudget,
            CustomParser = ParseStepBudget,
        };
    }

    /// <summary>A whole number of steps, at least 1; anything else is a usage error, not an exception.</summary>
    public static long ParseStepBudget(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var steps) && steps >= 1) return steps;
        result.AddError($"--lin-budget: '{text}' is not a number of search steps (a whole number, at least 1).");
        return 0;
    }

    /// <summary>The replay command for one seed, with <c>--lin-budget</c> when it is not the default.</summary>
    public static string ReplayCommand(SimulationOptions options) =>
        RunOptionSet.ReplayCommand(options)
        + (options.LinearizabilityStepBudget == LinearizabilityChecker.DefaultStepBudget ? "" : string.Create(CultureInfo.InvariantCulture, $" --lin-budget {options.LinearizabilityStepBudget}"));

    public static Command Create()
    {
        var set = new RunOptionSet();
        var seeds = new Option<int>("--seeds") { Description = "How many seeds to run.", DefaultValueFactory = _ => 100 };
        seeds.Require(n => n >= 1, "--seeds must be at least 1.");
        var startSeed = new Option<ulong>("--start-seed") { Description = "First seed.", DefaultValueFactory = _ => 1 };
        var jobs = new Option<int>("--jobs") { Description = "Seeds run in parallel (each run is itself single-threaded).", DefaultValueFactory = _ => Environment.ProcessorCount };
        jobs.Require(n => n >= 1, "--jobs must be at least 1.");

        var linBudget = CreateLinBudgetOption();

        var command = new Command("explore",
            "Run many seeded simulations with faults and check every safety property, linearizability and liveness. " +
            "Exit code 0: every seed passed; 1: a violation; 3: no violation, but some seed's linearizability check was inconclusive (raise --lin-budget); 2: bad arguments.");
        command.Add(seeds);
        command.Add(startSeed);
        set.AddTo(command);
        command.Add(linBudget);
        command.Add(jobs);
        command.SetAction(parse => Run(
            count: parse.GetValue(seeds), first: parse.GetValue(startSeed), jobs: parse.GetValue(jobs),
            optionsFor: seed => set.Read(parse, seed) with { LinearizabilityStepBudget = parse.GetValue(linBudget) }));
        return command;
    }

    private static int Run(int count, ulong first, int jobs, Func<ulong, SimulationOptions> optionsFor)
    {
        var example = optionsFor(first);
        Console.WriteLine($"Exploring {count} seeds from {first}: {example.Nodes} nodes{(example.Spares == 0 ? "" : $" + {example.Spares} spares")}{(example.MembershipChanges ? ", membership changes" : "")}, {RunOptionSet.FormatDuration(example.DurationMicros)} each, faults {RunOptionSet.Kebab(example.Faults.ToString())}, {example.Clients} clients{(example.Raft.Bug == Core.TeachingBug.None ? "" : $", bug {RunOptionSet.Kebab(example.Raft.Bug.ToString())}")}, {jobs} jobs");
        var results = new SimulationResult?[count];
        var clock = Stopwatch.StartNew();
        var done = 0;

        void RunAll(Action<int> progress)
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = jobs }, (i, state) =>
            {
                var result = new Simulation(optionsFor(first + (ulong)i)).Run();
                results[i] = result;
                progress(Interlocked.Increment(ref done));
                // Break, not Stop: every lower seed still finishes, so the reported seed is the smallest failing one whatever --jobs is.
                // An inconclusive seed is no reason to stop: a later seed may still show a violation.
                if (result.Violation is not null) state.Break();
            });
        }

        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
        {
            AnsiConsole.Progress().AutoClear(true).Start(context =>
            {
                var task = context.AddTask("seeds", maxValue: count);
                RunAll(n => task.Value = n);
            });
        }
        else
        {
            var step = Math.Max(1, count / 10);
            RunAll(n => { if (n % step == 0 || n == count) Console.WriteLine($"  {n}/{count} seeds"); });
        }
        clock.Stop();
        return Summarize(results, clock.Elapsed, optionsFor, Console.Out);
    }

    /// <summary>
    /// Prints the summary of the seeds that ran and returns the exit code: 1 if any seed violated a
    /// property, else 3 if any seed was inconclusive, else 0.
    /// </summary>
    public static int Summarize(IReadOnlyList<SimulationResult?> results, TimeSpan wall, Func<ulong, SimulationOptions> optionsFor, TextWriter output)
    {
        var ran = results.Where(r => r is not null).Select(r => r!).ToList();
        var failures = ran.Where(r => r.Violation is not null).OrderBy(r => r.Seed).ToList();
        var inconclusive = ran.Where(r => r.Inconclusive).OrderBy(r => r.Seed).ToList();
        var seconds = Math.Max(wall.TotalSeconds, 1e-6);
        output.WriteLine();
        output.WriteLine($"seeds run        {ran.Count}");
        output.WriteLine($"violations       {failures.Count}{(failures.Count == 0 ? "" : " (" + string.Join(", ", failures.GroupBy(f => f.Violation!.Property).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}")) + ")")}");
        output.WriteLine($"inconclusive     {inconclusive.Count}{(inconclusive.Count == 0 ? "" : " (linearizability search budget spent; not passed)")}");
        output.WriteLine($"elections        {ran.Sum(r => (long)r.Elections)}");
        output.WriteLine($"commits          {ran.Sum(r => r.CommittedIndex)}");
        if (ran.Any(r => r.MembershipChangesCommitted > 0)) output.WriteLine($"config changes   {ran.Sum(r => (long)r.MembershipChangesCommitted)} committed");
        output.WriteLine($"client ops       {ran.Sum(r => (long)r.ClientOperations)}");
        output.WriteLine($"messages         {ran.Sum(r => r.MessagesSent)} sent, {ran.Sum(r => r.MessagesDropped)} dropped");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wall time        {wall.TotalSeconds:0.00}s ({ran.Count / seconds:0.0} seeds/s)"));
        if (failures.Count == 0 && inconclusive.Count == 0)
        {
            output.WriteLine("No violation.");
            return 0;
        }
        if (failures.Count == 0)
        {
            var first = inconclusive[0];
            output.WriteLine();
            output.WriteLine($"No violation found, but INCONCLUSIVE: {inconclusive.Count} seed(s) not checked for linearizability to the end: {string.Join(", ", inconclusive.Take(10).Select(r => r.Seed))}{(inconclusive.Count > 10 ? ", ..." : "")}");
            output.WriteLine($"First: seed {first.Seed}: the search gave up on key \"{first.Linearizability!.Key}\" after {first.Linearizability.Steps} steps (budget {optionsFor(first.Seed).LinearizabilityStepBudget} per key).");
            output.WriteLine($"Replay it with a larger budget{RaftSimInvocation.Where}:");
            output.WriteLine("  " + ReplayCommand(optionsFor(first.Seed) with { LinearizabilityStepBudget = LargerBudget(optionsFor(first.Seed).LinearizabilityStepBudget) }));
            return InconclusiveExitCode;
        }
        var failure = failures[0];
        output.WriteLine();
        output.WriteLine($"FIRST VIOLATION: seed {failure.Seed}: {failure.Violation}");
        output.WriteLine("Last events before it:");
        foreach (var line in failure.RecentTrace.TakeLast(12)) output.WriteLine("  " + line.ToText());
        output.WriteLine("Servers at the violation:");
        foreach (var server in failure.Servers ?? []) output.WriteLine("  " + server.ToText());
        output.WriteLine();
        output.WriteLine($"Replay it with{RaftSimInvocation.Where}:");
        output.WriteLine("  " + ReplayCommand(optionsFor(failure.Seed)));
        return 1;
    }

    private static long LargerBudget(long budget) => budget > long.MaxValue / 10 ? long.MaxValue : budget * 10;
}
