using System.Globalization;
using Raft.AllocationProfile;
using Raft.Simulation;
using Raft.Simulation.Faults;
using Raft.Simulation.Network;

// Where a run's allocations go: runs seeds 1..N of the reference row (5 nodes, 4 clients, chaos,
// 10 s of virtual time, every check on) on this thread, prints the bytes allocated per run, and the
// runtime's allocation samples (one about every 100 KB, with the type allocated) summed by type.
// The samples say which types; the code that makes them is for you to find.
//   dotnet run -c Release --project benchmarks/AllocationProfile -- [SEEDS]
var seeds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50;
new Simulation(Reference(1_000_000)).Run(); // JIT and caches warm, on a seed outside the measured range
using var samples = new AllocationSamples();
var before = GC.GetAllocatedBytesForCurrentThread();
for (var seed = 1; seed <= seeds; seed++) new Simulation(Reference((ulong)seed)).Run();
var perRun = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)seeds;
samples.Dispose();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{seeds} seeds of the reference row: {perRun / 1024:0} KB allocated per run"));
var byType = samples.ByType();
var sampled = byType.Sum(t => t.Bytes);
foreach (var (type, bytes) in byType.Take(40))
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes * 100.0 / sampled,6:0.0}%  {bytes / (double)seeds / 1024,7:0} KB/run  {type}"));

static SimulationOptions Reference(ulong seed) => new()
{
    Seed = seed,
    Nodes = 5,
    Clients = 4,
    Faults = FaultProfile.Chaos,
    Network = LinkProfile.Unreliable,
    MaxClockDrift = 0.05,
};
