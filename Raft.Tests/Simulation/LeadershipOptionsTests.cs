using Raft.Core;
using Raft.Simulation;
using Raft.Simulation.Cli;
using Raft.Simulation.Faults;

namespace Raft.Tests.Simulation;

/// <summary>The simulator drives PreVote, CheckQuorum and leadership transfer: options, schedule text, the transfer fault.</summary>
public sealed class LeadershipOptionsTests
{
    [Test]
    public void The_replay_command_names_prevote_and_check_quorum_when_they_are_on()
    {
        var on = RunOptionSet.ReplayCommand(new SimulationOptions { Raft = new RaftOptions { PreVote = true, CheckQuorum = true } });
        var off = RunOptionSet.ReplayCommand(new SimulationOptions());

        Assert.That(on, Does.Contain(" --prevote").And.Contain(" --check-quorum"));
        Assert.That(off, Does.Not.Contain("--prevote").And.Not.Contain("--check-quorum"));
    }

    [Test]
    public void A_simulation_case_carries_prevote_and_check_quorum_into_its_options_and_replay_command()
    {
        var c = new SimulationCase(7, 3, 1, 1_000_000, 64, 0, [], PreVote: true, CheckQuorum: true);

        Assert.That(c.ToOptions().Raft.PreVote, Is.True);
        Assert.That(c.ToOptions().Raft.CheckQuorum, Is.True);
        Assert.That(c.ReplayCommand(), Does.Contain("--prevote --check-quorum"));
    }

    [Test]
    public void Explore_with_prevote_and_check_quorum_exits_0_with_a_summary()
    {
        var (code, stdout, _) = RaftSim.Run("explore", "--seeds", "3", "--duration", "2s", "--faults", "chaos", "--prevote", "--check-quorum");
        Assert.That(code, Is.Zero, stdout);
        Assert.That(stdout, Does.Contain("No violation."));
    }

    [Test]
    public void A_transfer_action_prints_and_parses_back()
    {
        var schedule = FaultScheduleText.Parse("at 1.5s transfer n3");

        Assert.That(schedule, Is.EqualTo(new FaultAction[] { new TransferFault(1_500_000, 3) }));
        Assert.That(FaultScheduleText.Format(schedule), Is.EqualTo("at 1500.000ms transfer n3"));
        Assert.That(FaultScheduleText.Parse(FaultScheduleText.Format(schedule)), Is.EqualTo(schedule));
    }

    [Test]
    public void The_chaos_profile_schedules_leadership_transfers()
    {
        var actions = Enumerable.Range(1, 10).SelectMany(seed =>
            FaultScheduleGenerator.Generate(FaultProfile.Chaos, 5, 10_000_000, new Raft.Core.Randomness.SplitMix64((ulong)seed)));
        Assert.That(actions.OfType<TransferFault>(), Is.Not.Empty);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void A_transfer_fault_hands_leadership_to_the_named_node(bool preVoteAndCheckQuorum)
    {
        var raft = new RaftOptions { PreVote = preVoteAndCheckQuorum, CheckQuorum = preVoteAndCheckQuorum };
        SimulationOptions Options(IReadOnlyList<FaultAction> schedule) =>
            new() { Seed = 11, Nodes = 3, DurationMicros = 2_000_000, Raft = raft, Schedule = schedule };

        var probe = new Raft.Simulation.Simulation(Options([]));
        while (probe.Now < 990_000 && probe.StepEvent()) { }
        var before = probe.LeaderNow();
        Assert.That(before, Is.Not.Null, "a leader by 1s");
        var target = probe.Members.First(m => m != before);

        var simulation = new Raft.Simulation.Simulation(Options([new TransferFault(1_000_000, target.Value)]));
        while (simulation.Now < 1_300_000 && simulation.StepEvent()) { }

        Assert.That(simulation.LeaderNow(), Is.EqualTo(target));
        Assert.That(simulation.Violation, Is.Null);
    }
}
