namespace Raft.Simulation.Checkers.Linearizability;

/// <summary>
/// Decides whether operations are linearizable against a model: the depth-first search of Wing and
/// Gong (1993) with Lowe's memoization (Lowe, "Testing for linearizability", 2017), as Porcupine
/// describes it, run on each of the model's partitions separately. <see cref="LinearizabilityChecker"/>
/// explains the idea and adds what a person needs on a violation (the culprit, a small illegal history).
/// </summary>
public static class LinearizabilitySearch
{
    /// <summary>
    /// Searches for a linearization of <paramref name="operations"/>, one partition of the model at a
    /// time (<see cref="ILinearizabilityModel{TInput, TOutput, TState}.Partition"/>): the search of
    /// each may take at most <paramref name="stepBudget"/> steps (one step = one look at a list
    /// entry). Returns the outcome (a violation in any partition wins over running out of budget in
    /// another) and the steps taken in all.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Malformed input: an operation returned before it was called, has an answer but no return
    /// time, or shares its id with another.
    /// </exception>
    public static (LinearizabilityOutcome Outcome, long Steps) Run<TInput, TOutput, TState>(
        ILinearizabilityModel<TInput, TOutput, TState> model,
        IReadOnlyList<ModelOperation<TInput, TOutput>> operations,
        long stepBudget)
        where TOutput : class
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(stepBudget);
        Validate(operations, nameof(operations));
        var outcome = LinearizabilityOutcome.Linearizable;
        var steps = 0L;
        foreach (var (_, partition) in Partition(model, operations))
        {
            var (partitionOutcome, partitionSteps) = RunPartition(model, partition, stepBudget);
            steps += partitionSteps;
            if (partitionOutcome == LinearizabilityOutcome.Violation) return (partitionOutcome, steps);
            if (partitionOutcome == LinearizabilityOutcome.Unknown) outcome = partitionOutcome;
        }
        return (outcome, steps);
    }

    /// <summary>
    /// Refuses input no real history can produce, so that it is never mistaken for a violation.
    /// </summary>
    internal static void Validate<TInput, TOutput>(IReadOnlyList<ModelOperation<TInput, TOutput>> operations, string parameter)
        where TOutput : class
    {
        ArgumentNullException.ThrowIfNull(operations, parameter);
        var ids = new HashSet<long>();
        foreach (var op in operations)
        {
            if (op is null) throw new ArgumentException("the history contains a null operation", parameter);
            if (op.ReturnedAt < op.CalledAt)
                throw new ArgumentException($"operation {op.Id} returned at {op.ReturnedAt}, before it was called at {op.CalledAt}", parameter);
            if (op.ReturnedAt is null && op.Output is not null)
                throw new ArgumentException($"operation {op.Id} has an answer but no return time", parameter);
            if (!ids.Add(op.Id)) throw new ArgumentException($"two operations have the id {op.Id}", parameter);
        }
    }

    /// <summary>The operations grouped by the model's partition, partitions in ordinal order, each in input order.</summary>
    internal static SortedDictionary<string, List<ModelOperation<TInput, TOutput>>> Partition<TInput, TOutput, TState>(
        ILinearizabilityModel<TInput, TOutput, TState> model,
        IReadOnlyList<ModelOperation<TInput, TOutput>> operations)
        where TOutput : class
    {
        var partitions = new SortedDictionary<string, List<ModelOperation<TInput, TOutput>>>(StringComparer.Ordinal);
        foreach (var op in operations)
        {
            var key = model.Partition(op.Input);
            if (!partitions.TryGetValue(key, out var members)) partitions[key] = members = [];
            members.Add(op);
        }
        return partitions;
    }

    /// <summary>
    /// The search proper, on operations the caller knows to lie in one partition (the model's state
    /// is then the whole story). Operations at equal times are ordered by their position in the list.
    /// </summary>
    internal static (LinearizabilityOutcome Outcome, long Steps) RunPartition<TInput, TOutput, TState>(
        ILinearizabilityModel<TInput, TOutput, TState> model,
        IReadOnlyList<ModelOperation<TInput, TOutput>> operations,
        long stepBudget)
        where TOutput : class
    {
        var events = EventList.Build(operations);
        var state = model.Init();
        var linearized = OperationSet.Empty(operations.Count);

        // Every (linearized set, state) pair already pushed: reaching one again cannot lead anywhere new.
        var explored = new HashSet<(OperationSet, TState)>();
        // The linearization so far: each call taken, with the state and set from before it.
        var taken = new Stack<(Event Call, TState StateBefore, OperationSet LinearizedBefore)>();

        var steps = 0L;
        var entry = events.First;
        while (entry is not null)
        {
            if (steps == stepBudget) return (LinearizabilityOutcome.Unknown, steps);
            steps++;

            if (entry.IsCall)
            {
                // Try to let this operation take effect now, before everything still in the list.
                var operation = operations[entry.Operation];
                var (ok, next) = model.Step(state, operation.Input, operation.Output);
                if (ok)
                {
                    var nextLinearized = linearized.With(entry.Operation);
                    if (explored.Add((nextLinearized, next)))
                    {
                        taken.Push((entry, state, linearized));
                        (state, linearized) = (next, nextLinearized);
                        EventList.Lift(entry);
                        entry = events.First;
                        continue;
                    }
                }
                // Invariant: a call's return comes after it, so a scan never runs off the end.
                entry = entry.Next ?? throw new InvalidOperationException("call without a later return");
            }
            else
            {
                // A return whose operation has not taken effect: every candidate before it failed,
                // so the last choice was wrong. Undo it and try the next candidate after it.
                if (!taken.TryPop(out var last)) return (LinearizabilityOutcome.Violation, steps);
                (state, linearized) = (last.StateBefore, last.LinearizedBefore);
                EventList.Unlift(last.Call);
                entry = last.Call.Next;
            }
        }
        return (LinearizabilityOutcome.Linearizable, steps);
    }

    /// <summary>A call or return of one operation, as a node of a doubly linked list.</summary>
    private sealed class Event(int operation, bool isCall)
    {
        public int Operation { get; } = operation;
        public bool IsCall { get; } = isCall;
        public Event? Match { get; set; }
        public Event? Previous { get; set; }
        public Event? Next { get; set; }
    }

    /// <summary>
    /// All calls and returns in time order, after a sentinel head. Lifting an operation unlinks its
    /// call and return; unlinked nodes keep their own links, so undoing lifts in reverse order puts
    /// them back exactly where they were ("dancing links").
    /// </summary>
    private sealed class EventList
    {
        private readonly Event head = new(-1, isCall: true);

        public Event? First => head.Next;

        public static EventList Build<TInput, TOutput>(IReadOnlyList<ModelOperation<TInput, TOutput>> operations)
            where TOutput : class
        {
            var timed = new List<(long Time, Event Event)>(2 * operations.Count);
            for (var i = 0; i < operations.Count; i++)
            {
                var call = new Event(i, isCall: true);
                var ret = new Event(i, isCall: false);
                call.Match = ret;
                timed.Add((operations[i].CalledAt, call));
                timed.Add((operations[i].ReturnedAt ?? long.MaxValue, ret));
            }
            // At equal times calls come before returns: operations that merely touch count as
            // concurrent, which can only hide a violation, never invent one.
            timed.Sort((a, b) =>
                a.Time != b.Time ? a.Time.CompareTo(b.Time)
                : a.Event.IsCall != b.Event.IsCall ? (a.Event.IsCall ? -1 : 1)
                : a.Event.Operation.CompareTo(b.Event.Operation));

            var list = new EventList();
            var last = list.head;
            foreach (var (_, e) in timed)
            {
                (last.Next, e.Previous) = (e, last);
                last = e;
            }
            return list;
        }

        public static void Lift(Event call)
        {
            Unlink(call);
            Unlink(call.Match!);
        }

        public static void Unlift(Event call)
        {
            Relink(call.Match!);
            Relink(call);
        }

        private static void Unlink(Event e)
        {
            e.Previous!.Next = e.Next;
            if (e.Next is not null) e.Next.Previous = e.Previous;
        }

        private static void Relink(Event e)
        {
            e.Previous!.Next = e;
            if (e.Next is not null) e.Next.Previous = e;
        }
    }
}
