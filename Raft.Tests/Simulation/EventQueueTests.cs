using Raft.Core.Randomness;
using Raft.Simulation.Scheduling;

namespace Raft.Tests.Simulation;

/// <summary>
/// The simulator's event queue hands events out by time, and events due at the same time in the
/// order they were scheduled, whatever the order of scheduling and however schedules and
/// dequeues interleave.
/// </summary>
public sealed class EventQueueTests
{
    [Test]
    public void Events_due_at_the_same_time_come_out_in_the_order_they_were_scheduled()
    {
        var queue = new EventQueue<string>();
        queue.Schedule(5, "a");
        queue.Schedule(3, "b");
        queue.Schedule(5, "c");
        queue.Schedule(3, "d");
        queue.Schedule(4, "e");

        Assert.That(Drain(queue), Is.EqualTo(new[] { (3L, "b"), (3L, "d"), (4L, "e"), (5L, "a"), (5L, "c") }));
    }

    [Test]
    public void Interleaved_schedules_and_dequeues_match_a_sorted_list([Values(1UL, 2UL, 3UL, 4UL, 5UL)] ulong seed)
    {
        // The model: every pending event with its scheduling number, the earliest (time, number) next.
        var random = new SplitMix64(seed);
        var queue = new EventQueue<long>();
        var model = new List<(long Time, long Number)>();
        long scheduled = 0, now = 0;
        for (var step = 0; step < 5_000; step++)
        {
            if (random.Next(100) < 55 || model.Count == 0)
            {
                var time = now + random.Next(20); // few distinct times: many ties
                queue.Schedule(time, scheduled);
                model.Add((time, scheduled++));
                continue;
            }
            var expected = model.Min();
            model.Remove(expected);
            Assert.That(queue.TryDequeue(out var number, out var at), Is.True);
            Assert.That((at, number), Is.EqualTo(expected), $"step {step}");
            now = at;
            Assert.That(queue.Count, Is.EqualTo(model.Count));
        }
        Assert.That(Drain(queue).Select(e => (e.Time, e.Item)), Is.EqualTo(model.Order()));
    }

    [Test]
    public void An_empty_queue_has_nothing_to_give()
    {
        var queue = new EventQueue<string>();
        Assert.That(queue.TryPeekTime(out _), Is.False);
        Assert.That(queue.TryDequeue(out _, out _), Is.False);
        queue.Schedule(7, "x");
        Assert.That(queue.TryPeekTime(out var time) && time == 7, Is.True);
        Assert.That(Drain(queue), Has.Count.EqualTo(1));
        Assert.That(queue.TryDequeue(out _, out _), Is.False);
    }

    private static List<(long Time, T Item)> Drain<T>(EventQueue<T> queue)
    {
        var all = new List<(long, T)>();
        while (queue.TryDequeue(out var item, out var time)) all.Add((time, item));
        return all;
    }
}
