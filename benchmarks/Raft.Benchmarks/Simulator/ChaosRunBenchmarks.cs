using BenchmarkDotNet.Attributes;
using Raft.Simulation;
using Raft.Simulation.Faults;
using Raft.Simulation.Network;

namespace Raft.Benchmarks.Simulator;

/// <summary>
/// One whole simulation: 5 nodes, 4 clients, 10 virtual seconds of chaos (crashes, partitions,
/// an unreliable network, clock drift), with every check the simulator makes. Events per second is
/// the trace's event count (printed at setup) divided by the mean time.
/// </summary>
[MemoryDiagnoser]
public class ChaosRunBenchmarks
{
    private const ulong Seed = 7;

    private static SimulationOptions Options => new()
    {
        Seed = Seed,
        Nodes = 5,
        Clients = 4,
        Faults = FaultProfile.Chaos,
        Network = LinkProfile.Unreliable,
        MaxClockDrift = 0.05,
    };

    [GlobalSetup]
    public void Setup()
    {
        var simulation = new Raft.Simulation.Simulation(Options);
        var result = simulation.Run();
        Console.WriteLine($"// chaos run, seed {Seed}: {simulation.Trace.Count} trace events; {result}");
    }

    [Benchmark]
    public long TenSecondChaosRun()
    {
        var simulation = new Raft.Simulation.Simulation(Options);
        simulation.Run();
        return simulation.Trace.Count;
    }
}
