using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Simulation;
using Raft.Simulation.Checkers;
using Raft.Simulation.Faults;
using Raft.Simulation.Network;
using Raft.Tests.Support;

namespace Raft.Tests.Simulation;

/// <summary>
/// The progress check during a run (<see cref="ProgressChecker"/>): a healthy majority with
/// something to commit commits it within the window. The correct core never fails it; cores that
/// cannot commit with a server gone, or at all after a while, fail it while the faults go on.
/// </summary>
[Parallelizable(ParallelScope.Children)]
public sealed class ProgressTests
{
    /// <summary>
    /// Our core with a leader that never counts its own log in the commit majority: it believes its
    /// leader writes in parallel (thesis §10.2.1), and the simulator never reports a write durable,
    /// so only followers' acknowledgements count. With every server up it commits; with one of three
    /// gone it cannot.
    /// </summary>
    private sealed class SelfDoubtingLeader(NodeSpec spec)
        : WrappedNode(new RaftNode(spec.Id, spec.Members, spec.Options with { LeaderPersistsInParallel = true }, spec.Random, spec.Persisted, spec.FirstMessageId));

    /// <summary>Our core, except that after 200 ticks of its clock (about 2 s) it never answers an AppendEntries again.</summary>
    private sealed class TiringFollower(NodeSpec spec)
        : WrappedNode(new RaftNode(spec.Id, spec.Members, spec.Options, spec.Random, spec.Persisted, spec.FirstMessageId))
    {
        private int ticks;

        public override Output Step(Input input)
        {
            if (input is Tick) ticks++;
            var output = Inner.Step(input);
            if (ticks < 200) return output;
            return output with { Effects = output.Effects.Where(e => e is not Send { Message: AppendEntriesResponse }).ToList() };
        }
    }

    private static SimulationOptions Chaos(ulong seed, int nodes = 3) => new()
    {
        Seed = seed, Nodes = nodes, Faults = FaultProfile.Chaos, Network = LinkProfile.Unreliable, MaxClockDrift = 0.05, DurationMicros = 4_000_000,
    };

    [TestCase(FaultProfile.Chaos, 3, false)]
    [TestCase(FaultProfile.Chaos, 5, true)]
    [TestCase(FaultProfile.Crashes, 3, false)]
    [TestCase(FaultProfile.Partitions, 5, true)]
    public void The_correct_core_makes_progress_whenever_a_majority_is_healthy(FaultProfile faults, int nodes, bool membership)
    {
        for (ulong seed = 1; seed <= 75; seed++)
        {
            var options = Chaos(seed, nodes) with
            {
                Faults = faults, Network = faults == FaultProfile.Chaos ? LinkProfile.Unreliable : LinkProfile.Reliable,
                MembershipChanges = membership, Spares = membership ? 2 : 0, DurationMicros = 3_000_000,
            };
            var result = new Raft.Simulation.Simulation(options).Run();
            Assert.That(result.Violation, Is.Null, $"seed {seed}");
        }
    }

    [Test]
    public void A_leader_that_does_not_count_itself_is_caught_while_a_server_is_away()
    {
        var caught = FirstCaught(seed => Chaos(seed), spec => new SelfDoubtingLeader(spec), seeds: 20);
        Assert.That(caught.Property, Is.EqualTo(Property.Progress), caught.ToString());
        Assert.That(caught.TimeMicros, Is.LessThan(4_000_000), "during the faults, not after them");
        Assert.That(caught.Message, Does.Contain("healthy majority").And.Contain("window"));
    }

    [Test]
    public void Followers_that_stop_answering_appends_are_caught_during_the_run()
    {
        var caught = FirstCaught(seed => Chaos(seed) with { Faults = FaultProfile.Crashes, Network = LinkProfile.Reliable, MaxClockDrift = 0 },
            spec => new TiringFollower(spec), seeds: 3);
        Assert.That(caught.Property, Is.EqualTo(Property.Progress), caught.ToString());
        Assert.That(caught.TimeMicros, Is.LessThan(4_000_000 + 3 * 400_000));
    }

    [Test]
    public void A_cluster_that_never_elects_is_caught_a_window_after_it_starts()
    {
        var options = new SimulationOptions { Seed = 1, DurationMicros = 5_000_000 };
        var result = new Raft.Simulation.Simulation(options, spec => new MuteNode(spec)).Run();

        Assert.That(result.Violation?.Property, Is.EqualTo(Property.Progress));
        Assert.That(result.Violation!.Message, Does.Contain("none of them leads").And.Contain("n1 n2 n3"));
        Assert.That(result.Violation.TimeMicros, Is.InRange(options.ProgressWindowMicros, options.ProgressWindowMicros + 100_000));
    }

    [Test]
    public void A_passing_check_leaves_the_trace_as_it_was()
    {
        var options = Chaos(7) with { KeepTrace = true };
        var with = new Raft.Simulation.Simulation(options).Run();
        var without = new Raft.Simulation.Simulation(options with { ProgressWindowTimeouts = 0 }).Run();
        Assert.That(with.Violation, Is.Null);
        Assert.That(with.Digest, Is.EqualTo(without.Digest));
    }

    [Test]
    public void No_window_counts_while_no_majority_is_healthy()
    {
        // n1 and n2 cut off, n3 alone: no healthy majority, so no window counts until the heal.
        var schedule = new FaultAction[] { new PartitionFault(500_000, [[1], [2], [3]]), new HealFault(3_500_000) };
        var options = new SimulationOptions { Seed = 3, Schedule = schedule, DurationMicros = 4_000_000 };
        var result = new Raft.Simulation.Simulation(options, spec => new SelfDoubtingLeader(spec)).Run();
        Assert.That(result.Violation, Is.Null, "with every server up, a leader that does not count itself still commits");
    }

    private static Violation FirstCaught(Func<ulong, SimulationOptions> options, Func<NodeSpec, IRaftNode> node, int seeds)
    {
        for (ulong seed = 1; seed <= (ulong)seeds; seed++)
            if (new Raft.Simulation.Simulation(options(seed), node).Run().Violation is { } violation)
            {
                TestContext.Out.WriteLine($"seed {seed}: {violation}");
                return violation;
            }
        Assert.Fail($"not caught in {seeds} seeds");
        return null!;
    }

    /// <summary>A node that sends nothing: no election succeeds.</summary>
    private sealed class MuteNode(NodeSpec spec)
        : WrappedNode(new RaftNode(spec.Id, spec.Members, spec.Options, spec.Random, spec.Persisted, spec.FirstMessageId))
    {
        public override Output Step(Input input)
        {
            var output = Inner.Step(input);
            return output with { Effects = output.Effects.Where(e => e is not Send).ToList() };
        }
    }
}
