using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Raft.Simulation.Cli;

/// <summary><c>raft-sim explore</c>: many seeded runs, a progress bar, a summary, the first failing seed with its replay command.</summary>
public static class ExploreCommand
{
    public static Command Create()
    {
        var set = new RunOptionSet();
        var seeds = new Option<int>("--seeds") { Description = "How many seeds to run.", DefaultValueFactory = _ => 100 };
        seeds.Require(n => n >= 1, "--seeds must be at least 1.");
        var startSeed = new Option<ulong>("--start-seed") { Description = "First seed.", DefaultValueFactory = _ => 1 };
        var jobs = new Option<int>("--jobs") { Description = "Seeds run in parallel (each run is itself single-threaded).", DefaultValueFactory = _ => Environment.ProcessorCount };
        jobs.Require(n => n >= 1, "--jobs must be at least 1.");

        var command = new Command("explore", "Run many seeded simulations with faults and check every safety property, linearizability and liveness.");
        command.Add(seeds);
        command.Add(startSeed);
        set.AddTo(command);
        command.Add(jobs);
        command.SetAction(parse => Run(
            count: parse.GetValue(seeds), first: parse.GetValue(startSeed), jobs: parse.GetValue(jobs),
            optionsFor: seed => set.Read(parse, seed)));
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
                if (!result.Ok) state.Break();
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
        return Summarize(results, first, clock.Elapsed, optionsFor);
    }

    private static int Summarize(SimulationResult?[] results, ulong first, TimeSpan wall, Func<ulong, SimulationOptions> optionsFor)
    {
        var ran = results.Where(r => r is not null).Select(r => r!).ToList();
        var failures = ran.Where(r => !r.Ok).OrderBy(r => r.Seed).ToList();
        var seconds = Math.Max(wall.TotalSeconds, 1e-6);
        Console.WriteLine();
        Console.WriteLine($"seeds run        {ran.Count}");
        Console.WriteLine($"violations       {failures.Count}{(failures.Count == 0 ? "" : " (" + string.Join(", ", failures.GroupBy(f => f.Violation!.Property).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}")) + ")")}");
        Console.WriteLine($"elections        {ran.Sum(r => (long)r.Elections)}");
        Console.WriteLine($"commits          {ran.Sum(r => r.CommittedIndex)}");
        if (ran.Any(r => r.MembershipChangesCommitted > 0)) Console.WriteLine($"config changes   {ran.Sum(r => (long)r.MembershipChangesCommitted)} committed");
        Console.WriteLine($"client ops       {ran.Sum(r => (long)r.ClientOperations)}");
        Console.WriteLine($"messages         {ran.Sum(r => r.MessagesSent)} sent, {ran.Sum(r => r.MessagesDropped)} dropped");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wall time        {wall.TotalSeconds:0.00}s ({ran.Count / seconds:0.0} seeds/s)"));
        if (failures.Count == 0)
        {
            Console.WriteLine("No violation.");
            return 0;
        }
        var failure = failures[0];
        Console.WriteLine();
        Console.WriteLine($"FIRST VIOLATION: seed {failure.Seed}: {failure.Violation}");
        Console.WriteLine("Last events before it:");
        foreach (var line in failure.RecentTrace.TakeLast(12)) Console.WriteLine("  " + line.ToText());
        Console.WriteLine("Servers at the violation:");
        foreach (var server in failure.Servers ?? []) Console.WriteLine("  " + server.ToText());
        Console.WriteLine();
        Console.WriteLine($"Replay it with{RaftSimInvocation.Where}:");
        Console.WriteLine("  " + RunOptionSet.ReplayCommand(optionsFor(failure.Seed)));
        return 1;
    }
}
