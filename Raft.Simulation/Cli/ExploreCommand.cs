using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using Raft.Simulation.Checkers.Linearizability;
using Raft.Simulation.Faults;
using Raft.Simulation.Shrinking;
using Spectre.Console;

namespace Raft.Simulation.Cli;

/// <summary>
/// <c>raft-sim explore</c>: many seeded runs, a progress bar, a summary, the first failing seed with
/// its replay command. Exit code 0: every seed passed; 1: a violation; 3: no violation, but the
/// linearizability check of some seed was inconclusive (search budget spent); 2: bad arguments.
/// <c>--shard I/N</c> runs one slice of the seeds (<see cref="SeedShard"/>) and <c>--results</c>
/// writes a line per seed (<see cref="ExploreResultsFile"/>), so that <c>raft-sim merge</c>
/// (<see cref="MergeCommand"/>) can combine shards run on many machines into this summary.
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
    public static string ReplayCommand(SimulationOptions options) => RaftSimInvocation.Command(ReplayArguments(options));

    /// <summary>The arguments of <see cref="ReplayCommand"/>, from <c>replay</c> on.</summary>
    public static string ReplayArguments(SimulationOptions options) =>
        RunOptionSet.ReplayArguments(options)
        + (options.LinearizabilityStepBudget == LinearizabilityChecker.DefaultStepBudget ? "" : string.Create(CultureInfo.InvariantCulture, $" --lin-budget {options.LinearizabilityStepBudget}"));

    public static Command Create()
    {
        var set = new RunOptionSet();
        var seeds = new Option<int>("--seeds") { Description = "How many seeds to run (over all shards).", DefaultValueFactory = _ => 100 };
        seeds.Require(n => n >= 1, "--seeds must be at least 1.");
        var startSeed = new Option<ulong>("--start-seed") { Description = "First seed.", DefaultValueFactory = _ => 1 };
        var jobs = new Option<int>("--jobs") { Description = "Seeds run in parallel (each run is itself single-threaded).", DefaultValueFactory = _ => Environment.ProcessorCount };
        jobs.Require(n => n >= 1, "--jobs must be at least 1.");
        var shard = new Option<SeedShard>("--shard")
        {
            HelpName = "I/N",
            Description = "Run only shard I of N (counted from 0): the seeds whose offset from --start-seed is I modulo N. Shards 0/N to N-1/N together run every seed once; merge their --results files with raft-sim merge.",
            DefaultValueFactory = _ => SeedShard.Whole,
            CustomParser = ParseShard,
        };
        var results = new Option<string?>("--results")
        {
            HelpName = "FILE.ndjson",
            Description = "Write one JSON line per seed (options, digest, verdict, figures) to this file, for raft-sim merge. Every seed of the shard runs, even after a violation. The file appears whole when the run ends, or not at all.",
        };

        var html = new Option<string?>("--html")
        {
            HelpName = "FILE",
            Description = "On a violation, rerun the first failing seed and write it as a self-contained HTML page (the viewer) to this file.",
        };

        var noShrink = new Option<bool>("--no-shrink") { Description = "On a violation, do not shrink the first failing seed." };
        var shrinkBudget = new Option<int>("--shrink-budget")
        {
            HelpName = "RUNS",
            Description = "Most simulation runs spent shrinking the first failing seed to a smaller case that fails with the same property.",
            DefaultValueFactory = _ => Shrinker.DefaultBudget,
        };
        shrinkBudget.Require(n => n >= 1, "--shrink-budget must be at least 1 (use --no-shrink to skip shrinking).");
        var shrunkOut = new Option<string?>("--shrunk-out")
        {
            HelpName = "FILE",
            Description = "Write the shrunk case to this file (JSON), for replay --case FILE.",
        };

        var linBudget = CreateLinBudgetOption();

        var command = new Command("explore",
            "Run many seeded simulations with faults and check every safety property, linearizability and liveness. " +
            "Exit code 0: every seed passed; 1: a violation; 3: no violation, but some seed's linearizability check was inconclusive (raise --lin-budget); 2: bad arguments; 4: no verdict, the command itself failed (out of memory, a bug).");
        command.Add(seeds);
        command.Add(startSeed);
        set.AddTo(command);
        command.Add(linBudget);
        command.Add(jobs);
        command.Add(shard);
        command.Add(results);
        command.Add(html);
        command.Add(shrinkBudget);
        command.Add(noShrink);
        command.Add(shrunkOut);
        command.SetAction(parse => Run(
            new ExploreRange(parse.GetValue(startSeed), parse.GetValue(seeds), parse.GetValue(shard)), parse.GetValue(jobs), parse.GetValue(results), parse.GetValue(html),
            new ShrinkSettings(!parse.GetValue(noShrink), parse.GetValue(shrinkBudget), parse.GetValue(shrunkOut)),
            optionsFor: seed => set.Read(parse, seed) with { LinearizabilityStepBudget = parse.GetValue(linBudget) }));
        return command;
    }

    /// <summary>The seeds an explore runs: <paramref name="Count"/> seeds from <paramref name="First"/>, or one shard of them.</summary>
    private sealed record ExploreRange(ulong First, int Count, SeedShard Shard);

    /// <summary>Whether and how to shrink the first failing seed: <c>--no-shrink</c>, <c>--shrink-budget</c>, <c>--shrunk-out</c>.</summary>
    private sealed record ShrinkSettings(bool Enabled, int Budget, string? OutPath);

    private static SeedShard ParseShard(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (SeedShard.TryParse(text, out var shard, out var problem)) return shard;
        result.AddError(problem);
        return SeedShard.Whole;
    }

    private static int Run(ExploreRange range, int jobs, string? resultsPath, string? htmlPath, ShrinkSettings shrink, Func<ulong, SimulationOptions> optionsFor)
    {
        if (htmlPath is not null && Cli.ReplayCommand.HtmlPathProblem(htmlPath) is { } htmlProblem) return RaftSimCli.UsageError("explore", htmlProblem);
        if (shrink.OutPath is not null && OutPathProblem(shrink.OutPath) is { } outProblem) return RaftSimCli.UsageError("explore", outProblem);
        if (shrink.OutPath is not null && (!shrink.Enabled || resultsPath is not null))
            return RaftSimCli.UsageError("explore", $"--shrunk-out needs a shrink, and {(shrink.Enabled ? "--results" : "--no-shrink")} turns shrinking off.");
        if (resultsPath is not null && Directory.Exists(resultsPath))
            return RaftSimCli.UsageError("explore", $"cannot write results to {resultsPath}: it is a folder; name a file, e.g. {Path.Combine(resultsPath, "shard-0.ndjson")}.");
        if (resultsPath is not null && !Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(resultsPath))))
            return RaftSimCli.UsageError("explore", $"cannot write results to {resultsPath}: no such folder.");
        var seeds = range.Shard.SeedsOf(range.First, range.Count).ToList();
        var example = optionsFor(range.First);
        var what = range.Shard == SeedShard.Whole
            ? $"{range.Count} seeds from {range.First}"
            : $"shard {range.Shard} of {range.Count} seeds from {range.First} ({seeds.Count} seeds: {string.Join(", ", seeds.Take(5))}{(seeds.Count > 5 ? ", ..." : "")})";
        Console.WriteLine($"Exploring {what}: {example.Nodes} nodes{(example.Spares == 0 ? "" : $" + {example.Spares} spares")}{(example.MembershipChanges ? ", membership changes" : "")}, {RunOptionSet.FormatDuration(example.DurationMicros)} each, faults {RunOptionSet.Kebab(example.Faults.ToString())}, {example.Clients} clients{RunOptionSet.BugNote(example)}{RunOptionSet.OtherOptionsNote(example)}, {jobs} jobs");
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        // A results file holds every seed of its shard, so a merge can tell a gap from a seed never run.
        var outcomes = RunSeeds(seeds, jobs, stopAtViolation: resultsPath is null, optionsFor);
        clock.Stop();
        if (resultsPath is not null)
        {
            var results = new ExploreResults(range.First, range.Count, range.Shard, SeedOutcome.OptionsOf(example), example.LinearizabilityStepBudget, started, DateTimeOffset.UtcNow, clock.Elapsed, outcomes);
            try
            {
                ExploreResultsFile.Write(resultsPath, results);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return RaftSimCli.UsageError("explore", $"cannot write results to {resultsPath}: {e.Message}");
            }
            Console.WriteLine($"results          {outcomes.Count} seeds written to {resultsPath}");
        }
        var exit = ExploreSummary.Print(outcomes, ExploreSummary.WallTime(clock.Elapsed, outcomes.Count), Console.Out);
        var failed = outcomes.Where(o => o.Verdict == SeedVerdict.Violation).MinBy(o => o.Seed);
        ShrinkResult? shrunk = null;
        // With --results the summary must read exactly as a merge of shards prints it: no shrink there.
        if (failed is not null && shrink.Enabled && resultsPath is null)
        {
            shrunk = ShrinkFirstFailure(optionsFor(failed.Seed), failed.Violation!, shrink.Budget, Console.Out);
            if (shrunk is { Reproduced: true } && shrink.OutPath is not null)
            {
                try
                {
                    ShrunkCaseFile.Write(shrink.OutPath, shrunk);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return RaftSimCli.UsageError("explore", $"cannot write the shrunk case to {shrink.OutPath}: {e.Message}");
                }
                Console.WriteLine($"shrunk case      written to {shrink.OutPath}; replay it with{RaftSimInvocation.Where}: {RaftSimInvocation.Command($"replay --case {shrink.OutPath}")}");
            }
        }
        if (htmlPath is not null && failed is not null)
        {
            // The page needs every event: rerun the seed (same seed, same run) keeping its trace; the shrunk case when there is one.
            var page = shrunk is { Reproduced: true } ? shrunk.Shrunk : optionsFor(failed.Seed);
            var options = page with { KeepTrace = true };
            var simulation = new Simulation(options);
            var result = simulation.Run();
            if (Cli.ReplayCommand.WriteHtml(htmlPath, simulation, result, options) is { } problem) return RaftSimCli.UsageError("explore", problem);
            Console.WriteLine($"viewer           {(shrunk is { Reproduced: true } ? "shrunk case of " : "")}seed {failed.Seed}: {simulation.Trace.Count} events written to {htmlPath}");
        }
        return exit;
    }

    /// <summary>Why the shrunk case cannot be written at <paramref name="path"/> (a folder, a missing folder), or null; checked before a run.</summary>
    private static string? OutPathProblem(string path)
    {
        if (Directory.Exists(path)) return $"cannot write the shrunk case to {path}: it is a folder; name a file, e.g. {Path.Combine(path, "case.json")}";
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        return folder is null || Directory.Exists(folder) ? null : $"cannot write the shrunk case to {path}: no such folder {folder}";
    }

    /// <summary>
    /// Shrinks the first failing seed (progress on stderr) and prints the shrunk case: what was
    /// removed, its schedule, its violation, the servers at it, and a replay command that runs as printed.
    /// </summary>
    private static ShrinkResult ShrinkFirstFailure(SimulationOptions failing, Checkers.Violation violation, int budget, TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        Console.Error.WriteLine($"shrinking seed {failing.Seed} ({violation.Property}), at most {budget} runs");
        var shrunk = Shrinker.Shrink(failing, violation, budget, progress: step =>
        {
            if (step.Accepted is not null) Console.Error.WriteLine($"  run {step.Runs}/{step.Budget}: {step.Accepted}");
            else if (step.Runs % 25 == 0) Console.Error.WriteLine($"  run {step.Runs}/{step.Budget}");
        });
        clock.Stop();
        output.WriteLine();
        if (!shrunk.Reproduced)
        {
            output.WriteLine($"SHRINK: seed {failing.Seed} with its schedule made explicit did not fail with {violation.Property} ({ReplayCommandOutcome(shrunk.Result)}); nothing shrunk.");
            return shrunk;
        }
        var time = string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds:0.00}s");
        output.WriteLine($"SHRUNK CASE: seed {failing.Seed}: {shrunk.Violation}");
        output.WriteLine($"shrunk           {shrunk.Changes()}");
        output.WriteLine($"shrink runs      {shrunk.Runs} of {shrunk.Budget} in {time}{(shrunk.BudgetSpent ? " (budget spent: raise --shrink-budget to shrink further)" : "")}");
        output.WriteLine($"schedule         {(shrunk.Shrunk.Schedule!.Count == 0 ? "(no faults)" : FaultScheduleText.Format(shrunk.Shrunk.Schedule))}");
        output.WriteLine("Last events before it:");
        foreach (var e in shrunk.Result.RecentTrace.TakeLast(SeedOutcome.RecentTraceLines)) output.WriteLine("  " + e.ToText());
        output.WriteLine("Servers at the violation:");
        foreach (var server in shrunk.Result.Servers ?? []) output.WriteLine("  " + server.ToText());
        output.WriteLine();
        output.WriteLine($"Replay the shrunk case with{RaftSimInvocation.Where}:");
        output.WriteLine("  " + ReplayCommand(shrunk.Shrunk));
        return shrunk;
    }

    private static string ReplayCommandOutcome(SimulationResult result) =>
        result.Violation is { } v ? $"it violated {v.Property}" : result.Inconclusive ? "it was inconclusive" : "it passed";

    /// <summary>
    /// Runs <paramref name="seeds"/> on <paramref name="jobs"/> threads with a progress display and
    /// returns the outcomes of those that ran, in seed order. With <paramref name="stopAtViolation"/>,
    /// seeds after a violating one may be skipped.
    /// </summary>
    private static List<SeedOutcome> RunSeeds(IReadOnlyList<ulong> seeds, int jobs, bool stopAtViolation, Func<ulong, SimulationOptions> optionsFor)
    {
        var count = seeds.Count;
        var outcomes = new SeedOutcome?[count];
        var done = 0;

        void RunAll(Action<int> progress)
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = jobs }, (i, state) =>
            {
                var options = optionsFor(seeds[i]);
                var outcome = SeedOutcome.Of(new Simulation(options).Run(), options);
                outcomes[i] = outcome;
                progress(Interlocked.Increment(ref done));
                // Break, not Stop: every lower seed still finishes, so the reported seed is the smallest failing one whatever --jobs is.
                // An inconclusive seed is no reason to stop: a later seed may still show a violation.
                if (stopAtViolation && outcome.Verdict == SeedVerdict.Violation) state.Break();
            });
        }

        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
        {
            AnsiConsole.Progress().AutoClear(true).Start(context =>
            {
                var task = context.AddTask("seeds", maxValue: Math.Max(count, 1));
                RunAll(n => task.Value = n);
            });
        }
        else
        {
            var step = Math.Max(1, count / 10);
            RunAll(n => { if (n % step == 0 || n == count) Console.WriteLine($"  {n}/{count} seeds"); });
        }
        return outcomes.Where(o => o is not null).Select(o => o!).ToList();
    }

    /// <summary>
    /// Prints the summary of the seeds that ran and returns the exit code: 1 if any seed violated a
    /// property, else 3 if any seed was inconclusive, else 0 (see <see cref="ExploreSummary"/>).
    /// </summary>
    public static int Summarize(IReadOnlyList<SimulationResult?> results, TimeSpan wall, Func<ulong, SimulationOptions> optionsFor, TextWriter output)
    {
        var outcomes = results.Where(r => r is not null).Select(r => SeedOutcome.Of(r!, optionsFor(r!.Seed))).ToList();
        return ExploreSummary.Print(outcomes, ExploreSummary.WallTime(wall, outcomes.Count), output);
    }
}
