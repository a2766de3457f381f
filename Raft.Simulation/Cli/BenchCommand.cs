using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Raft.Simulation.Faults;
using Raft.Simulation.Network;

namespace Raft.Simulation.Cli;

/// <summary>
/// <c>raft-sim bench</c>: how fast the simulator runs and how much it allocates, for a fixed set of
/// seeds per profile, on one thread and then on several (how explore's <c>--jobs</c> scales). A
/// command, not a test: figures depend on the machine. docs/performance.md keeps them.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var seeds = new Option<int>("--seeds") { Description = "Seeds per row.", DefaultValueFactory = _ => 50 };
        seeds.Require(n => n >= 1, "--seeds must be at least 1.");
        var jobs = new Option<int>("--jobs") { Description = "Also run the reference row on this many threads at once (default: the machine's cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
        jobs.Require(n => n >= 1, "--jobs must be at least 1.");
        var command = new Command("bench", "Measure simulator speed (seeds, virtual seconds and events per wall second), allocation per run, and how --jobs scales.") { seeds, jobs };
        command.SetAction(parse => Run(parse.GetValue(seeds), parse.GetValue(jobs)));
        return command;
    }

    /// <summary>The row the issue's targets are about: 5 nodes, 10 s of virtual time, chaos, 4 clients.</summary>
    private static readonly Row Reference = new("chaos", FaultProfile.Chaos, Nodes: 5, Clients: 4, Membership: false);

    private static int Run(int seeds, int jobs)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{seeds} seeds per row, 10 s of virtual time each; {Environment.ProcessorCount} cores, server GC {System.Runtime.GCSettings.IsServerGC}, {string.Join(", ", RuntimeTuning.Settings.Select(s => $"{s.Variable} {Environment.GetEnvironmentVariable(s.Variable) ?? "unset"}"))}, load {LoadAverage()}"));
        Console.WriteLine("profile      nodes clients threads  seeds/s  virtual s/s  events/s   KB alloc/run  violations");
        Row[] rows =
        [
            new("none", FaultProfile.None, 3, 3, false),
            new("chaos", FaultProfile.Chaos, 3, 3, false),
            Reference,
            new("chaos", FaultProfile.Chaos, 7, 4, false),
            new("chaos+mem", FaultProfile.Chaos, 5, 4, true),
        ];
        new Simulation(Options(Reference, 1_000_000)).Run(); // JIT and caches warm, on a seed outside the measured range
        double? oneThread = null;
        foreach (var row in rows)
        {
            var measured = Measure(row, seeds, threads: 1);
            if (row == Reference) oneThread = measured;
        }
        if (jobs > 1)
        {
            var parallel = Measure(Reference, seeds, jobs); // the same seeds as the one-thread row: the same work
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"--jobs {jobs} runs the reference row {parallel / oneThread!.Value:0.00}x as fast as --jobs 1"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak working set {Environment.WorkingSet / (1 << 20)} MB"));
        return 0;
    }

    /// <summary>Runs seeds 1..<paramref name="seeds"/> of a row on <paramref name="threads"/> threads; prints a line; returns seeds per second.</summary>
    private static double Measure(Row row, int seeds, int threads)
    {
        GC.Collect();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        long events = 0;
        var violations = 0;
        Parallel.For(1, seeds + 1, new ParallelOptions { MaxDegreeOfParallelism = threads }, s =>
        {
            var simulation = new Simulation(Options(row, (ulong)s));
            var result = simulation.Run();
            Interlocked.Add(ref events, simulation.Trace.Count);
            if (!result.Ok) Interlocked.Increment(ref violations);
        });
        clock.Stop();
        var perRunKb = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)seeds / 1024;
        var wall = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{row.Name,-12} {row.Nodes,5} {row.Clients,7} {threads,7}  {seeds / wall,7:0.0}  {seeds * 10 / wall,11:0}  {events / wall,9:0}  {perRunKb,12:0}  {violations,10}"));
        return seeds / wall;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    private static SimulationOptions Options(Row row, ulong seed) => new()
    {
        Seed = seed,
        Nodes = row.Nodes,
        Clients = row.Clients,
        Spares = row.Membership ? 2 : 0,
        MembershipChanges = row.Membership,
        Faults = row.Profile,
        Network = row.Profile == FaultProfile.None ? LinkProfile.Reliable : LinkProfile.Unreliable,
        MaxClockDrift = row.Profile == FaultProfile.Chaos ? 0.05 : 0,
    };

    private sealed record Row(string Name, FaultProfile Profile, int Nodes, int Clients, bool Membership);
}
