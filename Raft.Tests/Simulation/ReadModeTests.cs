using Raft.Core;
using Raft.Simulation;
using Raft.Simulation.Checkers;
using Raft.Simulation.Faults;
using Raft.Simulation.Network;

namespace Raft.Tests.Simulation;

/// <summary>
/// Reads in the simulator: ReadIndex stays linearizable under faults; lease reads do too while
/// clocks drift little, and break when drift exceeds what the lease's margin allows (thesis
/// §6.4.1); a leader that skips confirmation (TeachingBug.ReadWithoutQuorumCheck) is caught.
/// </summary>
public sealed class ReadModeTests
{
    /// <summary>Each node in turn is cut off for a while, so whichever node leads gets deposed.</summary>
    private static IReadOnlyList<FaultAction> IsolateEachNodeInTurn(int nodes)
    {
        var text = string.Join("; ", Enumerable.Range(0, 2 * nodes).Select(i =>
            $"at {500 + 600 * i}ms isolate n{1 + i % nodes}; at {900 + 600 * i}ms heal"));
        return FaultScheduleText.Parse(text);
    }

    private static SimulationOptions Options(ulong seed, ReadMode reads, double drift, TeachingBug bug = TeachingBug.None) => new()
    {
        Seed = seed,
        Nodes = 3,
        DurationMicros = 7_000_000,
        Schedule = IsolateEachNodeInTurn(3),
        Reads = reads,
        ReadPercent = 90, // mostly readers: a client keeps reading from the deposed leader
        ClientTimeoutMicros = 30_000, // clients find the new leader quickly
        MaxClockDrift = drift,
        // A long election timeout widens the gap a fast-clocked majority opens under a slow leader.
        Raft = new RaftOptions { ElectionTicks = 30, CheckQuorum = true, LeaseReads = reads == ReadMode.Lease, Bug = bug },
    };

    private static Violation? FirstViolation(ReadMode reads, double drift, int budget, TeachingBug bug = TeachingBug.None)
    {
        for (ulong seed = 1; seed <= (ulong)budget; seed++)
        {
            var result = new Raft.Simulation.Simulation(Options(seed, reads, drift, bug)).Run();
            if (!result.Ok)
            {
                TestContext.Out.WriteLine($"seed {seed}: {result.Violation}");
                return result.Violation;
            }
        }
        return null;
    }

    [Test]
    public void Lease_reads_return_stale_values_when_clock_drift_exceeds_the_lease_margin()
    {
        Assert.That(FirstViolation(ReadMode.Lease, drift: 0.5, budget: 100)?.Property, Is.EqualTo(Property.Linearizability));
    }

    [Test]
    public void Lease_reads_stay_linearizable_with_small_clock_drift()
    {
        Assert.That(FirstViolation(ReadMode.Lease, drift: 0.05, budget: 100), Is.Null);
    }

    [Test]
    public void ReadIndex_reads_stay_linearizable_whatever_the_clock_drift()
    {
        Assert.That(FirstViolation(ReadMode.ReadIndex, drift: 0.5, budget: 100), Is.Null);
    }

    [Test]
    public void A_leader_that_reads_without_confirming_leadership_is_caught()
    {
        Assert.That(FirstViolation(ReadMode.ReadIndex, drift: 0, budget: 10, TeachingBug.ReadWithoutQuorumCheck)?.Property,
            Is.EqualTo(Property.Linearizability));
    }
}
