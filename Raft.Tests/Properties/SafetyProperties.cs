using Raft.Core.Log;
using Raft.Core.StateMachine;
using Raft.Simulation;
using Raft.Simulation.Checkers;
using static Raft.Tests.Properties.PropertyRunner;

namespace Raft.Tests.Properties;

/// <summary>
/// Raft's guarantees as FsCheck properties over random clusters, workloads and fault schedules
/// (RAFT_PROPERTY_RUNS cases each; RAFT_PROPERTY_SEED picks FsCheck's seed).
/// </summary>
[Parallelizable(ParallelScope.Children)]
public sealed class SafetyProperties
{
    [Test]
    public void Election_safety_holds_under_random_faults() => AssertHolds(No(Property.ElectionSafety));

    [Test]
    public void Leader_append_only_holds_under_random_faults() => AssertHolds(No(Property.LeaderAppendOnly));

    [Test]
    public void Log_matching_holds_under_random_faults() => AssertHolds(No(Property.LogMatching));

    [Test]
    public void Leader_completeness_holds_under_random_faults() => AssertHolds(No(Property.LeaderCompleteness));

    [Test]
    public void State_machine_safety_holds_under_random_faults() => AssertHolds(No(Property.StateMachineSafety));

    /// <summary>Inconclusive, not passed, if a case's linearizability search ran out of budget.</summary>
    [Test]
    public void Client_histories_are_linearizable_under_random_faults() => AssertHoldsConclusively(No(Property.Linearizability));

    [Test]
    public void The_cluster_recovers_after_faults_stop() => AssertHolds(No(Property.Liveness));

    /// <summary>Inconclusive, not passed, if a case's linearizability search ran out of budget.</summary>
    [Test]
    public void No_run_violates_any_checked_property() => AssertHoldsConclusively((_, result) => result.Violation is null);

    /// <summary>
    /// Durability: every write a client saw acknowledged is in the committed log at the end, whatever
    /// crashed meanwhile (the run ends with every node restarted and a leader elected). Entries the
    /// leader has compacted are taken from what the servers applied: the checker has verified that
    /// the leader's snapshot holds exactly that committed prefix.
    /// </summary>
    [Test]
    public void Acknowledged_writes_survive_any_crash_pattern()
    {
        AssertHolds((c, _) =>
        {
            var simulation = new Raft.Simulation.Simulation(c.ToOptions());
            var result = simulation.Run();
            if (result.Violation is not null) return true; // other properties report other failures
            // A just-elected leader may not know the commit index yet; the highest one any node knows
            // is committed, and Leader Completeness puts that prefix in the leader's log.
            var leader = simulation.Nodes[simulation.LeaderNow()!.Value].Core;
            var commitIndex = Math.Min(leader.Log.LastIndex, simulation.Nodes.Values.Max(n => n.Core.CommitIndex));
            var committed = new SortedSet<(long, long)>();
            for (var i = 1; i <= commitIndex; i++)
            {
                var entry = i > leader.Log.SnapshotIndex ? leader.Log.EntryAt(i) : simulation.Safety.AppliedAt(i);
                if (entry is null) return false; // compacted, yet never applied anywhere
                if (entry.Kind != EntryKind.Command) continue;
                var command = KvCommand.Decode(entry.Command);
                committed.Add((command.ClientId, command.Sequence));
            }
            return result.History
                .Where(op => op.IsComplete && op.Command.Operation != KvOperation.Get)
                .All(op => committed.Contains((op.Command.ClientId, op.Command.Sequence)));
        });
    }

    [Test]
    public void The_same_case_gives_the_same_digest()
    {
        AssertHolds((c, first) => new Raft.Simulation.Simulation(c.ToOptions()).Run().Digest == first.Digest);
    }
}
