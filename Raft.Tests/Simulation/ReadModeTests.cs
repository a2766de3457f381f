using Raft.Core;
using Raft.Simulation;
using Raft.Simulation.Checkers;
using Raft.Simulation.Cli;
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

    internal static SimulationOptions Options(ulong seed, ReadMode reads, double drift, TeachingBug bug = TeachingBug.None) => new()
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

    [Test]
    public void The_replay_command_repeats_the_read_mode_and_read_share()
    {
        var lease = RunOptionSet.ReplayCommand(Options(3, ReadMode.Lease, 0.05) with { Schedule = null });
        var log = RunOptionSet.ReplayCommand(new SimulationOptions { Reads = ReadMode.Log });
        var defaults = RunOptionSet.ReplayCommand(new SimulationOptions());

        Assert.That(lease, Does.Contain("--check-quorum --reads lease --read-percent 90"));
        Assert.That(log, Does.Contain("--reads log"));
        Assert.That(defaults, Does.Not.Contain("--reads").And.Not.Contain("--read-percent"));
    }

    [Test]
    public void Lease_reads_without_check_quorum_are_refused_on_the_command_line()
    {
        var (code, _, stderr) = RaftSim.Run("explore", "--seeds", "1", "--reads", "lease");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("--reads lease needs --check-quorum"));
    }

    [Test]
    public void Reads_served_by_read_index_write_nothing_to_the_log()
    {
        var options = new SimulationOptions { Seed = 5, DurationMicros = 1_000_000, ReadPercent = 100 };

        var result = new Raft.Simulation.Simulation(options).Run();

        Assert.That(result.Ok, Is.True);
        Assert.That(result.ClientOperations, Is.GreaterThan(10));
        Assert.That(result.CommittedIndex, Is.EqualTo(1), "only the leader's no-op");
    }
}
