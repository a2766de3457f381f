using Raft.Core;
using Raft.Simulation;
using Raft.Simulation.Checkers;
using Raft.Simulation.Faults;
using Raft.Simulation.Network;

namespace Raft.Tests.Simulation;

/// <summary>
/// The simulator's checks have teeth: each teaching bug is caught within a stated budget of seeds,
/// while the correct core passes the same budget.
/// </summary>
public sealed class TeachingBugTests
{
    private static SimulationOptions Options(ulong seed, TeachingBug bug, FaultProfile faults, int nodes, int maxEntries = 64) => new()
    {
        Seed = seed,
        Nodes = nodes,
        Faults = faults,
        Network = faults is FaultProfile.Chaos or FaultProfile.Unreliable ? LinkProfile.Unreliable : LinkProfile.Reliable,
        DurationMicros = 5_000_000,
        Raft = new RaftOptions { Bug = bug, MaxEntriesPerAppend = maxEntries },
    };

    /// <summary>Runs seeds 1..budget and returns the first violation.</summary>
    private static Violation? FirstViolation(TeachingBug bug, FaultProfile faults, int nodes, int budget, int maxEntries = 64)
    {
        for (ulong seed = 1; seed <= (ulong)budget; seed++)
        {
            var result = new Raft.Simulation.Simulation(Options(seed, bug, faults, nodes, maxEntries)).Run();
            if (!result.Ok) return result.Violation;
        }
        return null;
    }

    [TestCase(TeachingBug.VoteWithoutLogCheck, FaultProfile.Partitions, 5, 10)]
    [TestCase(TeachingBug.ForgetVoteOnRestart, FaultProfile.Crashes, 3, 10)]
    [TestCase(TeachingBug.SkipPrevLogTermCheck, FaultProfile.Partitions, 5, 20)]
    [TestCase(TeachingBug.LeaderIgnoresHigherTerm, FaultProfile.Partitions, 5, 20)]
    [TestCase(TeachingBug.ApplyBeforeCommit, FaultProfile.Partitions, 5, 20)]
    [TestCase(TeachingBug.ReplyBeforePersist, FaultProfile.None, 3, 1)]
    public void Each_teaching_bug_is_caught_within_its_seed_budget(TeachingBug bug, FaultProfile faults, int nodes, int budget)
    {
        var violation = FirstViolation(bug, faults, nodes, budget);
        Assert.That(violation, Is.Not.Null, $"{bug} not caught in {budget} seeds of {faults}");
        TestContext.Out.WriteLine($"{bug}: {violation}");
    }

    [TestCase(FaultProfile.Partitions, 5)]
    [TestCase(FaultProfile.Crashes, 3)]
    [TestCase(FaultProfile.Chaos, 5)]
    public void The_correct_core_passes_the_same_budget(FaultProfile faults, int nodes)
    {
        Assert.That(FirstViolation(TeachingBug.None, faults, nodes, 10), Is.Null);
    }
}
