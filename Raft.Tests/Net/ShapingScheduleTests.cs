using Raft.Net.Shaping;

namespace Raft.Tests.Net;

/// <summary>
/// The decisions of the packet shaper (<see cref="ShapingSchedule"/>) without the kernel: when each
/// packet goes, in what order, and what is counted. Time is passed in, so these run in microseconds.
/// </summary>
public sealed class ShapingScheduleTests
{
    private static readonly PacketShaping TwentyMillis = new() { Delay = TimeSpan.FromMilliseconds(20) };

    [Test]
    public void Without_jitter_every_packet_goes_exactly_its_delay_after_it_arrived_and_in_arrival_order()
    {
        var schedule = new ShapingSchedule(TwentyMillis, new Random(1));
        for (uint id = 0; id < 10; id++) schedule.Arrive(id, null, nowMicros: id * 1000);

        Assert.That(schedule.TakeDue(19_999, out _), Is.False, "nothing goes before its delay");
        var released = Drain(schedule, from: 20_000, to: 40_000);

        Assert.That(released.Select(r => r.Id), Is.EqualTo(Enumerable.Range(0, 10).Select(i => (uint)i)));
        Assert.That(released.Select(r => r.AtMicros), Is.EqualTo(Enumerable.Range(0, 10).Select(i => 20_000L + i * 1000)));
        Assert.That(schedule.Counters, Is.EqualTo(new ShaperCounters(10, 10, 0, 0, 0, 0)));
    }

    [Test]
    public void Jitter_wider_than_the_gap_between_packets_reorders_them_and_each_delay_stays_within_delay_plus_or_minus_jitter()
    {
        var shaping = TwentyMillis with { Jitter = TimeSpan.FromMilliseconds(10) };
        var schedule = new ShapingSchedule(shaping, new Random(7));
        for (uint id = 0; id < 200; id++) schedule.Arrive(id, null, nowMicros: id * 1000);

        var released = Drain(schedule, from: 0, to: 300_000);

        Assert.That(released, Has.Count.EqualTo(200));
        Assert.That(released.Select(r => r.AtMicros - r.Id * 1000L), Has.All.InRange(10_000, 30_100), "delay ± jitter, seen on a 100 µs grid");
        var overtakes = released.Zip(released.Skip(1)).Count(pair => pair.Second.Id < pair.First.Id);
        Assert.That(overtakes, Is.GreaterThan(20), "packets 1 ms apart with ± 10 ms of jitter often swap");
        Assert.That(schedule.Counters.Reordered, Is.GreaterThan(20));
    }

    [Test]
    public void A_reordered_packet_goes_at_once_ahead_of_the_packets_still_held()
    {
        var schedule = new ShapingSchedule(TwentyMillis with { Reorder = 0.5 }, new Random(3));
        for (uint id = 0; id < 100; id++) schedule.Arrive(id, null, nowMicros: id * 100);

        var atOnce = Drain(schedule, from: 9_900, to: 9_900);

        Assert.That(atOnce, Is.Not.Empty.And.Count.LessThan(100), "about half go at once, the rest wait their 20 ms");
        Assert.That(schedule.Counters.Reordered, Is.GreaterThan(0), "some went while an earlier packet was held");
        Assert.That(schedule.Counters.Delayed + atOnce.Count, Is.EqualTo(100));
    }

    [Test]
    public void Duplication_is_drawn_with_the_probability_asked_for()
    {
        var schedule = new ShapingSchedule(new PacketShaping { Duplicate = 0.1 }, new Random(11));

        var copies = Enumerable.Range(0, 10_000).Count(_ => schedule.DrawDuplicate());

        Assert.That(copies, Is.InRange(850, 1150));
    }

    [Test]
    public void Beyond_the_most_packets_held_a_packet_goes_at_once_and_is_counted_as_overflowed()
    {
        var schedule = new ShapingSchedule(TwentyMillis, new Random(1));
        for (uint id = 0; id < ShapingSchedule.MaxHeld + 5; id++) schedule.Arrive(id, null, nowMicros: 0);

        Assert.That(schedule.Counters.Overflowed, Is.EqualTo(5));
        Assert.That(Drain(schedule, from: 0, to: 0), Has.Count.EqualTo(5));
        Assert.That(schedule.Held, Is.EqualTo(ShapingSchedule.MaxHeld));
    }

    [Test]
    public void Taking_all_releases_every_held_packet_whatever_its_time()
    {
        var schedule = new ShapingSchedule(TwentyMillis, new Random(1));
        for (uint id = 0; id < 3; id++) schedule.Arrive(id, [1, 2, 3], nowMicros: 0);

        var count = 0;
        while (schedule.TakeDue(0, out var packet, all: true))
        {
            Assert.That(packet.Copy, Is.EqualTo(new byte[] { 1, 2, 3 }));
            count++;
        }
        Assert.That(count, Is.EqualTo(3));
        Assert.That(schedule.NextReleaseMicros, Is.Null);
    }

    [TestCase(-1, 0, 0, 0)]
    [TestCase(2000, 0, 0, 0)]
    [TestCase(5, 10, 0, 0)]
    [TestCase(5, 0, 0.6, 0)]
    [TestCase(5, 0, 0, 0.6)]
    [TestCase(0, 0, 0, 0.1)]
    public void Shaping_that_cannot_be_done_says_why(double delayMillis, double jitterMillis, double duplicate, double reorder)
    {
        var shaping = new PacketShaping
        {
            Delay = TimeSpan.FromMilliseconds(delayMillis), Jitter = TimeSpan.FromMilliseconds(jitterMillis), Duplicate = duplicate, Reorder = reorder,
        };
        Assert.That(shaping.Problem(), Is.Not.Null);
        Assert.Throws<ArgumentException>(() => _ = new ShapingSchedule(shaping, new Random(1)));
    }

    [Test]
    public void Counters_survive_the_line_a_shaper_prints()
    {
        var counters = new ShaperCounters(100, 90, 3, 7, 1, 2);

        Assert.That(ShaperCounters.Parse(counters.ToLine()), Is.EqualTo(counters));
        Assert.That(ShaperCounters.Parse("shaper-ready queue=0"), Is.Null);
    }

    private static List<(uint Id, long AtMicros)> Drain(ShapingSchedule schedule, long from, long to)
    {
        var released = new List<(uint, long)>();
        for (var now = from; now <= to; now += 100)
            while (schedule.TakeDue(now, out var packet)) released.Add((packet.Id, now));
        return released;
    }
}
