using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Node;
using Raft.Simulation;
using Raft.Simulation.Checkers;
using Raft.Tests.Support;

namespace Raft.Tests.Simulation;

/// <summary>
/// In a calm run (no faults, reliable network) the cluster elects once and keeps its leader. A core
/// whose followers let their election timer run too fast breaks no safety property, so before this
/// check it passed; now it fails as LeaderStability.
/// </summary>
public sealed class LeaderStabilityTests
{
    /// <summary>Our core, except that a follower's timer runs five times too fast (as if it did not reset it on heartbeats).</summary>
    private sealed class HastyFollower(IRaftNode inner) : WrappedNode(inner)
    {
        public override Output Step(Input input)
        {
            if (input is not Tick || Inner.Role != Role.Follower) return Inner.Step(input);
            var effects = new List<Effect>();
            for (var i = 0; i < 5; i++) effects.AddRange(Inner.Step(input).Effects);
            return new Output(effects);
        }
    }

    private static SimulationOptions Calm(ulong seed) => new() { Seed = seed, Nodes = 3, DurationMicros = 5_000_000, ExpectStableLeader = true };

    private static IRaftNode Hasty(NodeSpec spec) =>
        new HastyFollower(new RaftNode(spec.Id, spec.Members, spec.Options, spec.Random, spec.Persisted, spec.FirstMessageId));

    [Test]
    public void The_correct_core_elects_once_in_every_calm_run()
    {
        for (ulong seed = 1; seed <= 30; seed++)
        {
            var result = new Raft.Simulation.Simulation(Calm(seed)).Run();
            Assert.That(result.Violation, Is.Null, $"seed {seed}");
            Assert.That(result.Elections, Is.EqualTo(1), $"seed {seed}");
        }
    }

    [Test]
    public void Followers_whose_timer_runs_too_fast_are_caught_only_by_the_stability_check()
    {
        var seed = Enumerable.Range(1, 10).Select(s => (ulong)s).FirstOrDefault(s => new Raft.Simulation.Simulation(Calm(s), Hasty).Run().Violation is not null);
        Assert.That(seed, Is.Not.Zero, "caught within 10 seeds");
        var caught = new Raft.Simulation.Simulation(Calm(seed), Hasty).Run().Violation!;
        Assert.That(caught.Property, Is.EqualTo(Property.LeaderStability));
        Assert.That(caught.Message, Does.Contain("in a run without faults"));

        var unwatched = new Raft.Simulation.Simulation(Calm(seed) with { ExpectStableLeader = false }, Hasty).Run();
        Assert.That(unwatched.Violation, Is.Null, "no other property notices: this is what the check adds");
        Assert.That(unwatched.Elections, Is.GreaterThan(1));
    }
}
