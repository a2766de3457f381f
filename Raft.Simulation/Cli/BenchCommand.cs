using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Raft.Simulation.Faults;
using Raft.Simulation.Network;

namespace Raft.Simulation.Cli;

/// <summary>
/// <c>raft-sim bench</c>: how fast the simulator runs and how much it allocates, single-threaded,
/// for a fixed set of seeds per profile. A command, not a test: figures depend on the machine.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var seeds = new Option<int>("--seeds") { Description = "Seeds per profile.", DefaultValueFactory = _ => 50 };
        seeds.Require(n => n >= 1, "--seeds must be at least 1.");
        var command = new Command("bench", "Measure simulator speed (virtual seconds, events and seeds per wall second) and allocation per run.") { seeds };
        command.SetAction(parse => Run(parse.GetValue(seeds)));
        return command;
    }

    private static int Run(int seeds)
    {
        Console.WriteLine($"{seeds} seeds per row, 10 s of virtual time each, one thread");
        Console.WriteLine("profile      nodes  seeds/s  virtual s/s  events/s   MB alloc/run  violations");
        foreach (var (profile, nodes, membership) in new[] { (FaultProfile.None, 3, false), (FaultProfile.Chaos, 3, false), (FaultProfile.Chaos, 5, false), (FaultProfile.Chaos, 7, false), (FaultProfile.Chaos, 5, true) })
        {
            // Warm up the JIT on a seed outside the measured range.
            new Simulation(Options(profile, nodes, membership, 1_000_000)).Run();
            GC.Collect();
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            long events = 0;
            var violations = 0;
            for (var s = 1; s <= seeds; s++)
            {
                var simulation = new Simulation(Options(profile, nodes, membership, (ulong)s));
                var result = simulation.Run();
                events += simulation.Trace.Count;
                if (!result.Ok) violations++;
            }
            clock.Stop();
            var perRunMb = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)seeds / (1 << 20);
            var wall = clock.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{RunOptionSet.Kebab(profile.ToString()) + (membership ? "+mem" : ""),-12} {nodes,5}  {seeds / wall,7:0.0}  {seeds * 10 / wall,11:0}  {events / wall,9:0}  {perRunMb,12:0.0}  {violations,10}"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak working set {Environment.WorkingSet / (1 << 20)} MB"));
        return 0;
    }

    private static SimulationOptions Options(FaultProfile profile, int nodes, bool membership, ulong seed) => new()
    {
        Seed = seed,
        Nodes = nodes,
        Spares = membership ? 2 : 0,
        MembershipChanges = membership,
        Faults = profile,
        Network = profile == FaultProfile.None ? LinkProfile.Reliable : LinkProfile.Unreliable,
        MaxClockDrift = profile == FaultProfile.Chaos ? 0.05 : 0,
    };
}
