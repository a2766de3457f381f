using Raft.Core;
using Raft.Core.Messages;
using Raft.Core.Randomness;
using Raft.Simulation;
using Raft.Simulation.Faults;
using Raft.Simulation.Network;
using Raft.Tests.Support;

namespace Raft.Tests.Simulation;

public sealed class NetworkTests
{
    private static RequestVote Vote(int from, int to, long id) => new(new NodeId(from), new NodeId(to), 1, id, 0, 0);

    /// <summary>The copies the network put on the wire: none, one, or two with a duplicate.</summary>
    private static List<InFlightMessage> Send(SimNetwork network, RequestVote message)
    {
        var copy = network.Send(message, 0, out var duplicate);
        return new[] { copy, duplicate }.OfType<InFlightMessage>().ToList();
    }

    [Test]
    public void A_cut_link_drops_messages_in_one_direction_only()
    {
        var network = new SimNetwork(new SplitMix64(1), LinkProfile.Reliable);
        network.Cut(new NodeId(1), new NodeId(2));
        Assert.That(Send(network, Vote(1, 2, 1)), Is.Empty);
        Assert.That(Send(network, Vote(2, 1, 2)), Has.Count.EqualTo(1));
    }

    [Test]
    public void Loss_and_duplication_rates_are_honoured_roughly()
    {
        var network = new SimNetwork(new SplitMix64(7), LinkProfile.Reliable with { LossRate = 0.2, DuplicateRate = 0.1 });
        var delivered = Enumerable.Range(0, 10_000).Sum(i => Send(network, Vote(1, 2, i)).Count);
        // Expected copies per message: 0.8 * (1 + 0.1) = 0.88.
        Assert.That(delivered, Is.InRange(8_500, 9_100));
    }

    [Test]
    public void In_flight_messages_can_be_listed_dropped_and_duplicated_by_hand()
    {
        var network = new SimNetwork(new SplitMix64(3), LinkProfile.Reliable);
        var sent = Send(network, Vote(1, 2, 1)).Single();
        Send(network, Vote(1, 3, 2));
        Assert.That(network.InFlight.Select(m => m.Message.To.Value).Order(), Is.EqualTo((int[])[2, 3]));
        Assert.That(network.Duplicate(sent.Seq, 0), Is.Not.Null);
        Assert.That(network.Drop(sent.Seq), Is.Not.Null);
        Assert.That(network.InFlight, Has.Count.EqualTo(2), "the duplicate and the message to n3 remain");
    }

    [Test]
    public void A_bridge_node_keeps_talking_to_both_sides_while_the_sides_cannot_talk()
    {
        var schedule = FaultScheduleText.Parse("at 1ms bridge n3 n1 n2 | n4 n5");
        var simulation = new Raft.Simulation.Simulation(new SimulationOptions { Nodes = 5, Clients = 0, Schedule = schedule, DurationMicros = 100_000 });
        while (simulation.Now < 2_000 && simulation.StepEvent()) { }
        var n = (int i) => new NodeId(i);
        Assert.That(simulation.Network.IsCut(n(1), n(4)), Is.True);
        Assert.That(simulation.Network.IsCut(n(5), n(2)), Is.True);
        Assert.That(simulation.Network.IsCut(n(1), n(2)), Is.False);
        Assert.That(simulation.Network.IsCut(n(3), n(1)) || simulation.Network.IsCut(n(4), n(3)), Is.False);
    }

    [Test]
    public void A_message_can_be_delivered_by_hand_ahead_of_its_time()
    {
        var simulation = new Raft.Simulation.Simulation(new SimulationOptions { Clients = 0, KeepTrace = true });
        SimulationSteps.Until(simulation, () => simulation.Network.InFlight.Count > 0, "a message in flight");
        var message = simulation.Network.InFlight.First();

        Assert.That(simulation.DeliverNow(message.Seq), Is.True);
        Assert.That(simulation.Network.InFlight.Select(m => m.Seq), Does.Not.Contain(message.Seq));
        Assert.That(simulation.Trace.All.Last(e => e.Kind == Raft.Simulation.Tracing.TraceKind.Deliver).Detail, Does.Contain("(by hand)"));
        Assert.That(simulation.DeliverNow(message.Seq), Is.False, "a message is delivered once");
    }

    [Test]
    public void A_schedule_prints_and_parses_back_to_the_same_schedule()
    {
        const string text = "at 0.000ms network loss=0.05 dup=0.03 reorder=0.05; at 720.070ms partition n1 n3 | n2; at 1s heal; at 1.5s crash n2; at 2s restart n2; at 2.5s cut n1->n3; at 3s isolate n1; at 3.5s pause n3; at 4s resume n3; at 4.5s bridge n2 n1 | n3; at 5s add n4; at 5.5s learner n5; at 6s remove n1";
        var schedule = FaultScheduleText.Parse(text);
        Assert.That(FaultScheduleText.Parse(FaultScheduleText.Format(schedule)).Select(a => a.ToString()), Is.EqualTo(schedule.Select(a => a.ToString())));
        Assert.That(schedule, Has.Count.EqualTo(13));
    }

    [TestCase("at 5 crash n1")]
    [TestCase("at 1s explode n1")]
    [TestCase("at 1s crash x1")]
    [TestCase("crash n1")]
    [TestCase("at 1s network loss=2")]
    public void A_bad_schedule_is_refused_with_the_action_named(string text)
    {
        var error = Assert.Throws<FormatException>(() => FaultScheduleText.Parse(text));
        Assert.That(error!.Message, Does.StartWith("schedule action 1"));
    }
}
