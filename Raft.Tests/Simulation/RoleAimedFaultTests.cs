using Raft.Core;
using Raft.Simulation;
using Raft.Simulation.Faults;
using Raft.Simulation.Tracing;

namespace Raft.Tests.Simulation;

/// <summary>
/// Fault actions aimed at the leader (<c>crash leader</c>, <c>isolate leader</c>, <c>pause leader</c>)
/// hit whoever leads at that moment, and "the leader" is one that a majority follows, not the
/// leader of the highest term any node has heard of.
/// </summary>
public sealed class RoleAimedFaultTests
{
    private static SimulationOptions Options(string schedule) => new() { Seed = 5, Nodes = 5, DurationMicros = 4_000_000, Schedule = FaultScheduleText.Parse(schedule) };

    [Test]
    public void Actions_aimed_at_the_leader_read_back_as_written()
    {
        var actions = FaultScheduleText.Parse("at 1s crash leader; at 2s isolate leader; at 3s pause leader; at 3.5s reconnect n2; at 4s crash n3");
        var text = FaultScheduleText.Format(actions);
        Assert.That(text, Does.Contain("crash leader").And.Contain("isolate leader").And.Contain("pause leader").And.Contain("reconnect n2").And.Contain("crash n3"));
        Assert.That(FaultScheduleText.Parse(text), Is.EqualTo(actions));
    }

    [Test]
    public void Crash_leader_crashes_the_node_that_leads_at_that_moment()
    {
        // Who leads just before 1 s, found by stepping the same run without the fault.
        var quiet = new Raft.Simulation.Simulation(Options(""));
        while (quiet.StepEvent() && quiet.Now < 1_000_000) { }
        var leader = quiet.LeaderNow();
        Assert.That(leader, Is.Not.Null, "a leader by 1 s");

        var run = new Raft.Simulation.Simulation(Options("at 1s crash leader") with { KeepTrace = true });
        run.Run();
        var crash = run.Trace.All.Single(e => e.Kind == TraceKind.Crash);
        Assert.That(crash.Subject, Is.EqualTo(new CrashFault(1_000_000, leader!.Value.Value)), "the trace names the node it crashed");
        Assert.That(run.Trace.All.Count(e => e.Kind == TraceKind.Role && e.Second == (long)Role.Leader), Is.GreaterThanOrEqualTo(2), "a new leader after the crash");
    }

    [Test]
    public void With_no_leader_an_action_aimed_at_it_does_nothing_and_says_so()
    {
        var run = new Raft.Simulation.Simulation(Options("at 1ms crash leader") with { KeepTrace = true });
        run.Run();
        Assert.That(run.Trace.All.Any(e => e.Kind == TraceKind.Crash), Is.False);
        Assert.That(run.Trace.All.Any(e => e.Kind == TraceKind.Note && e.Detail == "crash leader: no leader now, nothing happens"));
    }

    [Test]
    public void A_cut_off_node_that_campaigns_does_not_hide_the_leader()
    {
        var run = new Raft.Simulation.Simulation(Options(""));
        while (run.StepEvent() && run.Now < 800_000) { }
        var leader = run.LeaderNow();
        Assert.That(leader, Is.Not.Null);
        var follower = run.Servers.First(s => s != leader);
        foreach (var other in run.Servers.Where(s => s != follower))
        {
            run.Network.Cut(follower, other);
            run.Network.Cut(other, follower);
        }
        while (run.StepEvent() && run.Now < 2_500_000) { }
        Assert.That(run.Nodes[follower].Core.Term, Is.GreaterThan(run.Nodes[leader!.Value].Core.Term), "the cut-off node campaigned into higher terms");
        Assert.That(run.LeaderNow(), Is.EqualTo(leader), "the leader the majority follows is still the leader");
    }
}
