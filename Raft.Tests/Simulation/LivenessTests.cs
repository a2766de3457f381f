using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Node;
using Raft.Simulation;
using Raft.Simulation.Checkers;
using Raft.Simulation.Faults;

namespace Raft.Tests.Simulation;

public sealed class LivenessTests
{
    [Test]
    public void Every_client_request_completes_after_faults_stop()
    {
        var result = new Raft.Simulation.Simulation(new SimulationOptions { Seed = 9, Nodes = 5, Faults = FaultProfile.Crashes, DurationMicros = 3_000_000 }).Run();
        Assert.That(result.Ok, Is.True, result.Violation?.ToString());
        Assert.That(result.History.All(op => op.IsComplete), Is.True);
    }

    [Test]
    public void A_cluster_that_never_elects_a_leader_is_reported_as_a_liveness_violation()
    {
        // A node that never sends anything: no election can succeed. The progress check would
        // report it first, during the run (ProgressTests); here it is off, to show the final check.
        static IRaftNode Mute(NodeSpec spec) =>
            new MuteNode(new RaftNode(spec.Id, spec.Members, spec.Options, spec.Random, spec.Persisted, spec.FirstMessageId));

        var result = new Raft.Simulation.Simulation(new SimulationOptions { Seed = 1, DurationMicros = 1_000_000, LivenessBoundMicros = 2_000_000, ProgressWindowTimeouts = 0 }, Mute).Run();

        Assert.That(result.Violation?.Property, Is.EqualTo(Property.Liveness));
        Assert.That(result.Violation!.Message, Does.Contain("no leader"));
    }

    [Test]
    public void A_partitioned_minority_does_not_stop_a_majority_from_making_progress()
    {
        var schedule = new FaultAction[] { new IsolateFault(500_000, 1), new IsolateFault(500_000, 2) };
        var result = new Raft.Simulation.Simulation(new SimulationOptions { Seed = 4, Nodes = 5, Schedule = schedule, DurationMicros = 3_000_000 }).Run();
        Assert.That(result.Ok, Is.True, result.Violation?.ToString());
        Assert.That(result.CommittedIndex, Is.GreaterThan(100));
    }

    private sealed class MuteNode(RaftNode inner) : IRaftNode
    {
        public Raft.Core.NodeId Id => inner.Id;
        public Raft.Core.Membership.Configuration Configuration => inner.Configuration;
        public Raft.Core.Role Role => inner.Role;
        public long Term => inner.Term;
        public Raft.Core.NodeId? VotedFor => inner.VotedFor;
        public Raft.Core.NodeId? Leader => inner.Leader;
        public long CommitIndex => inner.CommitIndex;
        public long LastApplied => inner.LastApplied;
        public Raft.Core.Log.IReadOnlyRaftLog Log => inner.Log;

        public Output Step(Input input)
        {
            var output = inner.Step(input);
            return output with { Effects = output.Effects.Where(e => e is not Send).ToList() };
        }
    }
}
