using Raft.Core;
using Raft.Simulation;
using Raft.Simulation.Faults;
var bug = Enum.Parse<TeachingBug>(args[1], true);
foreach (var profile in new[] { FaultProfile.Partitions, FaultProfile.Crashes, FaultProfile.Chaos })
{
    var found = 0; string? first = null;
    for (ulong s = 1; s <= ulong.Parse(args[0]); s++)
    {
        var r = new Simulation(new SimulationOptions { Seed = s, Faults = profile, Nodes = 5, Raft = new RaftOptions { Bug = bug } }).Run();
        if (!r.Ok) { found++; first ??= $"seed {s}: {r.Violation}"; }
    }
    Console.WriteLine($"{bug} {profile}: {found} violations; {first}");
}
return 0;
