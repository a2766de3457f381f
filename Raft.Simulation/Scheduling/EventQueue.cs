namespace Raft.Simulation.Scheduling;

/// <summary>
/// Virtual-time event queue: a min-heap ordered by (time, sequence number). The sequence number
/// is the order of scheduling, so ties never depend on object identity or hashing.
/// </summary>
public sealed class EventQueue<T>
{
    private readonly PriorityQueue<T, (long Time, long Sequence)> heap = new();
    private long nextSequence;

    public int Count => heap.Count;

    public void Schedule(long time, T item) => heap.Enqueue(item, (time, nextSequence++));

    public bool TryDequeue(out T item, out long time)
    {
        if (heap.TryDequeue(out item!, out var priority))
        {
            time = priority.Time;
            return true;
        }
        time = 0;
        return false;
    }

    public bool TryPeekTime(out long time)
    {
        if (heap.TryPeek(out _, out var priority))
        {
            time = priority.Time;
            return true;
        }
        time = 0;
        return false;
    }
}
